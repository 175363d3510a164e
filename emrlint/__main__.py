from emrlint.cli import main

raise SystemExit(main())
