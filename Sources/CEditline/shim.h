#ifndef EDGELAB_CEDITLINE_SHIM_H
#define EDGELAB_CEDITLINE_SHIM_H
// libedit's readline-compatible API: line editing and history for `edgelab repl`.
#include <stdio.h>
#include <editline/readline.h>
#endif
