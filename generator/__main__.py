"""Lets `python -m generator` run the same CLI as the `dify-codenode` script."""

from generator.cli import main

if __name__ == "__main__":
    main()
