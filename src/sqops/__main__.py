from sqops.cli import main

main()
