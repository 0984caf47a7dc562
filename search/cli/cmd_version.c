/* cmd_version.c: `supernet version`, the versions behind a result (and whether MPI is built in) (worth pasting into bug reports). */
#include <blis.h>
#include <oneapi/dnnl/dnnl.h>
#include <png.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "dist/dist.h"

#define SUPERNET_VERSION "0.1.0"

int cmd_version(int argc, char **argv) {
    static const CliSpec spec = {.command = "version",
                                 .summary = "Print the versions of supernet and the libraries it runs on.",
                                 .synopsis = ""};
    cli_parse(&spec, argc, argv, NULL);
    const dnnl_version_t *v = dnnl_version();
    printf("supernet %s\n", SUPERNET_VERSION);
    printf("oneDNN   %d.%d.%d (%s)\n", v->major, v->minor, v->patch, v->hash);
    printf("BLIS     %s\n", bli_info_get_version_str());
    printf("libpng   %s\n", png_get_libpng_ver(NULL));
    printf("MPI      %s\n", dist_library());
    return 0;
}
