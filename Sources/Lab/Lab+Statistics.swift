// Lab's figures and reports summarise with the one statistics module; scripts and bindings that import Lab
// see it too.
@_exported import Statistics
