/* uname() for the SSH test bed's boards, preloaded into every session by sshd's SetEnv.
 *
 * The release, version and machine come from the files $FAKE_UNAME_DIR/{release,version,machine}
 * (first line each); the other fields, the node name included (a UTS namespace sets it), stay real.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static void override(const char *dir, const char *name, char *field, size_t size)
{
    char path[4096];
    char line[sizeof(((struct utsname *)0)->release)];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "r");
    if (f == NULL)
        return;
    if (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(field, size, "%s", line);
    }
    fclose(f);
}

int uname(struct utsname *buf)
{
    static int (*real_uname)(struct utsname *);
    const char *dir = getenv("FAKE_UNAME_DIR");
    int rc;

    if (real_uname == NULL)
        real_uname = (int (*)(struct utsname *))dlsym(RTLD_NEXT, "uname");
    rc = real_uname(buf);
    if (rc == 0 && dir != NULL) {
        override(dir, "release", buf->release, sizeof(buf->release));
        override(dir, "version", buf->version, sizeof(buf->version));
        override(dir, "machine", buf->machine, sizeof(buf->machine));
    }
    return rc;
}
