/* Writes the man page (build/imgaudit.1) from the option tables; the build runs it (CMakeLists.txt). */
#include <stdio.h>

#include "cli/man.h"

int main(int argc, char **argv)
{
    ia_err err;
    FILE *fp;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: mkman FILE\n");
        return 2;
    }
    err_clear(&err);
    fp = fopen(argv[1], "w");
    if (!fp) {
        perror(argv[1]);
        return 1;
    }
    rc = cli_man_write(fp, &err);
    if (fclose(fp) != 0 && rc == 0)
        rc = err_set(&err, IA_ERR_IO, "cannot write the man page");
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", argv[1], err.msg);
        remove(argv[1]);
        return 1;
    }
    return 0;
}
