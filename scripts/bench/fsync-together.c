/*
 * fsync-together: what a round of K folder fsyncs costs on one file system,
 * issued one after the other, all at once (a thread each), or as one
 * syncfs, optionally while another thread keeps renaming files there (as
 * the daemon's other thread does). Behind FileSystemSync.fsyncTogether
 * (README, issue 15, fifth session). Prints mean, p50 and p90 of 300 rounds.
 *
 *   gcc -O2 -pthread -o /tmp/fsync-together scripts/bench/fsync-together.c
 *   /tmp/fsync-together DIR MODE K NOISE
 *     DIR    an empty folder on the file system to measure (a journaled
 *            ext4, as a spool's; scripts/bench/run.sh makes one in a loop
 *            image when /var/tmp has no journal)
 *     MODE   0 one after the other, 1 together, 2 one syncfs
 *     K      folders per round (1-8)
 *     NOISE  1: a thread creates and renames files meanwhile
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *base;
static volatile int stop;
static int folders[8];

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *noise(void *unused) {
    char a[512], b[512];
    for (int i = 0; !stop; i++) {
        snprintf(a, sizeof a, "%s/noise/f%d", base, i % 500);
        snprintf(b, sizeof b, "%s/noise/g%d", base, i % 500);
        int fd = open(a, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd >= 0) { if (write(fd, "x", 1) < 0) perror("write"); close(fd); }
        rename(a, b);
        usleep(200);
    }
    return unused;
}

static void *sync_one(void *fd) { fsync(*(int *)fd); return NULL; }

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s DIR MODE K NOISE\n", argv[0]); return 64; }
    base = argv[1];
    int mode = atoi(argv[2]), k = atoi(argv[3]), with_noise = atoi(argv[4]);
    if (k < 1 || k > 8) { fprintf(stderr, "K is 1 to 8\n"); return 64; }
    char path[512];
    snprintf(path, sizeof path, "%s/noise", base);
    mkdir(path, 0755);
    for (int d = 0; d < k; d++) {
        snprintf(path, sizeof path, "%s/d%d", base, d);
        mkdir(path, 0755);
        folders[d] = open(path, O_RDONLY | O_DIRECTORY);
        if (folders[d] < 0) { perror(path); return 1; }
    }
    pthread_t noise_thread;
    if (with_noise) pthread_create(&noise_thread, NULL, noise, NULL);
    enum { rounds = 300 };
    double took[rounds], total = 0;
    for (int r = 0; r < rounds; r++) {
        for (int d = 0; d < k; d++) {
            char tmp[512], final[512];
            snprintf(tmp, sizeof tmp, "%s/d%d/.t%d", base, d, r);
            snprintf(final, sizeof final, "%s/d%d/f%d", base, d, r);
            int fd = open(tmp, O_CREAT | O_WRONLY, 0644);
            if (fd >= 0) { if (write(fd, "hello", 5) < 0) perror("write"); close(fd); }
            rename(tmp, final);
        }
        double t0 = now();
        if (mode == 0) {
            for (int d = 0; d < k; d++) fsync(folders[d]);
        } else if (mode == 1) {
            pthread_t t[8];
            for (int d = 0; d < k; d++) pthread_create(&t[d], NULL, sync_one, &folders[d]);
            for (int d = 0; d < k; d++) pthread_join(t[d], NULL);
        } else {
            syncfs(folders[0]);
        }
        took[r] = (now() - t0) * 1000;
        total += took[r];
        usleep(2000);
    }
    stop = 1;
    if (with_noise) pthread_join(noise_thread, NULL);
    qsort(took, rounds, sizeof took[0], by_value);
    printf("%s, %d folders, %s: mean %.2f ms, p50 %.2f, p90 %.2f\n",
           mode == 0 ? "one after the other" : mode == 1 ? "together" : "one syncfs", k,
           with_noise ? "another thread renaming" : "quiet", total / rounds, took[rounds / 2], took[rounds * 9 / 10]);
    return 0;
}
