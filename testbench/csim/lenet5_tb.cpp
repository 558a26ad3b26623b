// C-simulation testbench of the generated lenet5 top, used as-is by g++ (lenet-hls csim) and by
// Vitis csim_design / cosim_design.
//
//   lenet5_tb [TB_DATA_DIR] [--out SCORES_FILE] [--first K --count M] [--trace IMAGE]
//
// Without TB_DATA_DIR it uses ../tb_data when that holds images.bin (run from hls/: make run, vitis_hls
// -f run_hls.tcl), else the tb_data folder beside the hls/ folder this file was compiled from (found
// through __FILE__; Vitis runs the testbench in a build folder of its own). Either way the project
// folder can be moved without editing a path.
// Reads TB_DATA_DIR/images.bin (N x 784 bytes) and golden_scores.bin (N x classes int32,
// little-endian; src/Core/Data/TestVectors.cs), runs every image through lenet5(), writes
// csim_scores.bin (or SCORES_FILE, e.g. for Vitis co-simulation) in the same layout and exits 0 only when every score equals the golden one.
// --first/--count simulate only images K..K+M-1 (lenet-hls csim runs one slice per core).
// Built with -DLENET_TRACE and given --trace IMAGE, it also writes csim_trace.bin: for each layer,
// int32 layer index, int32 count, then count int32 values (HWC), for that one image.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "../lenet5.h"

static bool read_file(const std::string &path, std::vector<unsigned char> &bytes) {
    FILE *f = fopen(path.c_str(), "rb");
    if (!f) return false;
    unsigned char buffer[1 << 16];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, f)) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
    const bool ok = ferror(f) == 0;
    fclose(f);
    return ok;
}

static void put_int32(std::vector<unsigned char> &bytes, long long value) {
    const unsigned long long u = static_cast<unsigned long long>(value);
    for (int b = 0; b < 4; b++) bytes.push_back(static_cast<unsigned char>((u >> (8 * b)) & 0xFF));
}

static long long get_int32(const unsigned char *p) {
    const unsigned long u = static_cast<unsigned long>(p[0]) | (static_cast<unsigned long>(p[1]) << 8) |
                            (static_cast<unsigned long>(p[2]) << 16) | (static_cast<unsigned long>(p[3]) << 24);
    return u >= 0x80000000UL ? static_cast<long long>(u) - 0x100000000LL : static_cast<long long>(u);
}

static bool file_exists(const std::string &path) {
    FILE *f = fopen(path.c_str(), "rb");
    if (!f) return false;
    fclose(f);
    return true;
}

static std::string default_tb_data() {
    if (file_exists("../tb_data/images.bin")) return "../tb_data";
    const std::string source = __FILE__;  // DIR/hls/tb/lenet5_tb.cpp, absolute or relative to the build folder
    const size_t slash = source.find_last_of("/\\");
    const std::string tb_folder = slash == std::string::npos ? std::string(".") : source.substr(0, slash);
    return tb_folder + "/../../tb_data";
}

static bool write_file(const std::string &path, const std::vector<unsigned char> &bytes) {
    FILE *f = fopen(path.c_str(), "wb");
    if (!f) return false;
    const bool ok = fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return fclose(f) == 0 && ok;
}

#ifdef LENET_TRACE
static bool trace_active = false;
static std::vector<unsigned char> trace_bytes;

void lenet_trace_layer(unsigned layer, const long long *values, unsigned count) {
    if (!trace_active) return;
    put_int32(trace_bytes, layer);
    put_int32(trace_bytes, count);
    for (unsigned i = 0; i < count; i++) put_int32(trace_bytes, values[i]);
}
#endif

int main(int argc, char **argv) {
    std::string dir;
    std::string scores_file = "csim_scores.bin";
    long trace_image = -1;
    unsigned long first = 0, limit = ~0UL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--trace") == 0 && i + 1 < argc) trace_image = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--first") == 0 && i + 1 < argc) first = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) limit = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) scores_file = argv[++i];
        else dir = argv[i];
    }

    if (dir.empty()) dir = default_tb_data();

    std::vector<unsigned char> images, golden;
    if (!read_file(dir + "/images.bin", images)) {
        fprintf(stderr, "csim: cannot read %s/images.bin\n", dir.c_str());
        return 2;
    }
    if (!read_file(dir + "/golden_scores.bin", golden)) {
        fprintf(stderr, "csim: cannot read %s/golden_scores.bin\n", dir.c_str());
        return 2;
    }
    const size_t count = images.size() / LENET_N_PIXELS;
    if (count == 0 || images.size() % LENET_N_PIXELS != 0 || golden.size() != count * LENET_N_CLASSES * 4) {
        fprintf(stderr, "csim: %s holds %lu image bytes and %lu score bytes, expected N x %u and N x %u\n",
                dir.c_str(), static_cast<unsigned long>(images.size()), static_cast<unsigned long>(golden.size()),
                static_cast<unsigned>(LENET_N_PIXELS), static_cast<unsigned>(LENET_N_CLASSES * 4));
        return 2;
    }

    const size_t begin = first < count ? first : count;
    const size_t end = count - begin < limit ? count : begin + limit;
    std::vector<unsigned char> out;
    out.reserve((end - begin) * LENET_N_CLASSES * 4);
    size_t mismatched_images = 0;
    long first_bad = -1;
    for (size_t n = begin; n < end; n++) {
        pixel_t pixels[LENET_N_PIXELS];
        score_t scores[LENET_N_CLASSES];
        for (unsigned i = 0; i < LENET_N_PIXELS; i++) pixels[i] = images[n * LENET_N_PIXELS + i];
#ifdef LENET_TRACE
        trace_active = static_cast<long>(n) == trace_image;
#endif
        lenet5(pixels, scores);
        bool same = true;
        for (unsigned k = 0; k < LENET_N_CLASSES; k++) {
            const long long got = nnet::to_wide(scores[k]);
            put_int32(out, got);
            if (got != get_int32(&golden[(n * LENET_N_CLASSES + k) * 4])) same = false;
        }
        if (!same) {
            if (first_bad < 0) first_bad = static_cast<long>(n);
            mismatched_images++;
        }
    }

    if (!write_file(dir + "/" + scores_file, out)) {
        fprintf(stderr, "csim: cannot write %s/%s\n", dir.c_str(), scores_file.c_str());
        return 2;
    }
#ifdef LENET_TRACE
    if (trace_image >= 0 && !write_file(dir + "/csim_trace.bin", trace_bytes)) {
        fprintf(stderr, "csim: cannot write %s/csim_trace.bin\n", dir.c_str());
        return 2;
    }
#else
    (void)trace_image;
#endif
    printf("csim: %lu images, %lu mismatched", static_cast<unsigned long>(end - begin), static_cast<unsigned long>(mismatched_images));
    if (first_bad >= 0) printf(" (first: image %ld)", first_bad);
    printf("\n");
    return mismatched_images == 0 ? 0 : 1;
}
