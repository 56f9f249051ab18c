#include "cli/commands.h"

#include <stdio.h>

#include "cli/cli.h"

int cmd_whoami(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "imgaudit whoami: being written\n");
    return CLI_EXIT_RUNTIME;
}
