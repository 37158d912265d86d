/* proc_time.c -- wall time of a whole command, start-up and exit included,
 * in microseconds: what a person at a shell waits for.
 *
 * Usage: proc_time RUNS COMMAND [ARG ...] [--vs COMMAND [ARG ...]]
 * Runs COMMAND RUNS times (after 3 runs not counted), its output sent to
 * /dev/null, and prints the minimum, median and 90th percentile. With
 * --vs, the two commands run in turn (A B A B ...) so that a drift of the
 * machine's speed touches both alike, and the median of the pairwise
 * ratios A/B is printed too. farm-bench reports milliseconds; a search
 * process takes a few of them, so this prints microseconds.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One run of argv; its wall time in microseconds, or -1 when it could not
 * start or did not exit 0 or 1 (1: no results, still a search). */
static double run_once(char **argv)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    double t0 = now_us();
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) return -1;
    int status;
    if (waitpid(pid, &status, 0) < 0) return -1;
    double t = now_us() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) return -1;
    return t;
}

static void report(const char *name, double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    printf("%s  min %.0f us  median %.0f us  p90 %.0f us  (%d runs)\n", name, t[0], t[n / 2],
           t[n * 9 / 10], n);
}

int main(int argc, char **argv)
{
    if (argc < 3 || atoi(argv[1]) < 1) {
        fprintf(stderr, "usage: proc_time RUNS COMMAND [ARG ...] [--vs COMMAND [ARG ...]]\n");
        return 2;
    }
    int runs = atoi(argv[1]);
    char **a = argv + 2, **b = NULL;
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--vs") && i + 1 < argc) {
            argv[i] = NULL;
            b = argv + i + 1;
            break;
        }
    double *ta = malloc((size_t)runs * sizeof *ta), *tb = malloc((size_t)runs * sizeof *tb);
    double *ratio = malloc((size_t)runs * sizeof *ratio);
    if (!ta || !tb || !ratio) return 2;
    for (int i = -3; i < runs; i++) {
        double x = run_once(a), y = b ? run_once(b) : 1;
        if (x < 0 || y < 0) {
            fprintf(stderr, "proc_time: %s failed\n", x < 0 ? a[0] : b[0]);
            return 2;
        }
        if (i < 0) continue;
        ta[i] = x;
        tb[i] = y;
        ratio[i] = x / y;
    }
    report("A", ta, runs);
    if (b) {
        report("B", tb, runs);
        qsort(ratio, (size_t)runs, sizeof *ratio, cmp_double);
        printf("A/B median of pairs %.3f\n", ratio[runs / 2]);
    }
    free(ta);
    free(tb);
    free(ratio);
    return 0;
}
