/* main.c — the `robots` binary: everything lives in the CLI module. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return rb_cli_main(argc, argv);
}
