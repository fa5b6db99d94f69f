"""``python -m intake <command>``: the same commands as ``flask --app intake <command>``."""

from flask.cli import FlaskGroup

from . import create_app


def main() -> None:
    FlaskGroup(create_app=create_app, help="Session Music data-rights intake service.")(prog_name="python -m intake")


if __name__ == "__main__":
    main()
