/*
 * Writes the files generated from the option tables: the man page (build/imgaudit.1) and the bash
 * completion (build/bash-completion/imgaudit). The build runs it (CMakeLists.txt).
 */
#include <stdio.h>
#include <string.h>

#include "cli/completion.h"
#include "cli/man.h"

static const struct {
    const char *what;
    int (*write)(FILE *fp, ia_err *err);
} outputs[] = {
    {"man", cli_man_write},
    {"completion", cli_completion_write},
};

int main(int argc, char **argv)
{
    int (*write)(FILE * fp, ia_err * err) = NULL;
    ia_err err;
    FILE *fp;
    int rc;

    for (size_t i = 0; argc == 3 && i < sizeof(outputs) / sizeof(outputs[0]); i++) {
        if (strcmp(argv[1], outputs[i].what) == 0)
            write = outputs[i].write;
    }
    if (!write) {
        fprintf(stderr, "usage: mkman man|completion FILE\n");
        return 2;
    }
    err_clear(&err);
    fp = fopen(argv[2], "w");
    if (!fp) {
        perror(argv[2]);
        return 1;
    }
    rc = write(fp, &err);
    if (fclose(fp) != 0 && rc == 0)
        rc = err_set(&err, IA_ERR_IO, "cannot write %s", argv[2]);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", argv[2], err.msg);
        remove(argv[2]);
        return 1;
    }
    return 0;
}
