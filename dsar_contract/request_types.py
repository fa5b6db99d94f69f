"""The five data-rights requests a shopper can lodge (API value of `request_type`)."""

REQUEST_TYPES = ("access", "erasure", "rectification", "marketing_opt_out", "objection")
