// The `edgelab` command line. Subcommands (run, repl, figures, bench, fetch) arrive with issue 2.
print("edgelab: command line under construction")
