from emrlint.cli import run

run()
