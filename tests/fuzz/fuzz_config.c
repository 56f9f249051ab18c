/*
 * The AWS shared config parser (aws/config.h) over any bytes, as the config
 * file and as the credentials file. What parses is read back the way the
 * credential chain and the endpoint resolver read it.
 */
#include <stdlib.h>

#include "aws/config.h"
#include "fuzz.h"

static void read_back(const awscfg *cfg)
{
    static const char *const profiles[] = {"default", "dev", "prod"};
    static const char *const keys[] = {"region", "role_arn", "source_profile", "endpoint_url", "services"};

    for (size_t p = 0; p < sizeof(profiles) / sizeof(profiles[0]); p++) {
        const char *services;

        awscfg_has_profile(cfg, profiles[p]);
        awscfg_region(cfg, profiles[p], NULL);
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
            awscfg_get(cfg, profiles[p], keys[k]);
        services = awscfg_get(cfg, profiles[p], "services");
        if (services && awscfg_has_section(cfg, AWSCFG_SERVICES, services))
            awscfg_section_get(cfg, AWSCFG_SERVICES, services, "workspaces.endpoint_url");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    awscfg *cfg = NULL;
    ia_err err;

    if (awscfg_parse(&cfg, text, size, NULL, 0, &err) == 0)
        read_back(cfg);
    awscfg_free(cfg);
    if (awscfg_parse(&cfg, NULL, 0, text, size, &err) == 0)
        read_back(cfg);
    awscfg_free(cfg);
    free(text);
    return 0;
}
