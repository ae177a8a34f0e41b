from jusha.cli import main

main()
