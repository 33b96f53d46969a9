"""nbval (`pytest --nbval book`) skips the Chinese Colab notebooks: their code cells are the English
chapter's, which nbval runs, and they hold no outputs to compare (tests/test_translation.py checks
that they are exactly the English code)."""

collect_ignore_glob = ["colab/*.ipynb"]
