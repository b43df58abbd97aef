/*
 * seed_main.c: runs a harness of csrc/fuzz/ once on each file named on the
 * command line, without libFuzzer, so that any C compiler (with or without
 * sanitizers) can replay the seeds and the crashes kept among them:
 * tests/test_fuzz_seeds.py does, with gcc. Prints "N passed, 0 failed";
 * a broken invariant aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        uint8_t *data = NULL;
        size_t size = 0, cap = 0, n;
        do {
            if (size == cap) {
                cap = cap ? 2 * cap : 4096;
                uint8_t *grown = realloc(data, cap);
                if (!grown) {
                    fprintf(stderr, "out of memory reading %s\n", argv[i]);
                    return 2;
                }
                data = grown;
            }
            n = fread(data + size, 1, cap - size, f);
            size += n;
        } while (n > 0);
        fclose(f);
        /* An exact-size copy, so that ASan sees a read past the input. */
        uint8_t *exact = malloc(size ? size : 1);
        if (!exact)
            return 2;
        for (size_t k = 0; k < size; k++)
            exact[k] = data[k];
        free(data);
        LLVMFuzzerTestOneInput(exact, size);
        free(exact);
    }
    printf("%d passed, 0 failed\n", argc - 1);
    return 0;
}
