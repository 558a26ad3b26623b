// Verilator co-simulation harness for the LeNet accelerator (generated RTL or a Vitis export; both
// have the ports of `void lenet5(const pixel_t pixels[784], score_t scores[10])` with axis
// interfaces and ap_ctrl_hs). It streams tb_data/images.bin into pixels_*, collects scores_*,
// optionally with seeded random TVALID gaps and TREADY back-pressure, counts cycles per image and
// writes the scores (int32 little-endian) plus a cycles report (JSON). Scores are --score-bits wide,
// read as signed unless --score-signed 0 (unsigned ufx scores, docs/fixed-point.md section 1).
// The top is compiled with --prefix Vlenet_top; LENET_TAPS adds the per-layer debug taps
// (generated lenet_taps.h) that record every layer's output pixels on request.
#include "Vlenet_top.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#ifdef LENET_TAPS
#include "lenet_taps.h"
#endif

namespace {

struct Options {
    std::string images;
    std::string scores_out;
    std::string cycles_out;
    std::string trace;
    std::string taps_dir;
    long long pixels = 784;
    int classes = 10;
    int score_bits = 32;
    bool score_signed = true;
    long long count = -1;
    double stall_prob = 0.0;
    unsigned long long seed = 1;
    unsigned long long max_idle_cycles = 5000000;
};

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "cosim: %s\n", message.c_str());
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) fail("missing value after " + a);
            return argv[++i];
        };
        if (a == "--images") o.images = value();
        else if (a == "--scores-out") o.scores_out = value();
        else if (a == "--cycles-out") o.cycles_out = value();
        else if (a == "--trace") o.trace = value();
        else if (a == "--taps-dir") o.taps_dir = value();
        else if (a == "--pixels") o.pixels = std::stoll(value());
        else if (a == "--classes") o.classes = std::stoi(value());
        else if (a == "--score-bits") o.score_bits = std::stoi(value());
        else if (a == "--score-signed") o.score_signed = std::stoi(value()) != 0;
        else if (a == "--count") o.count = std::stoll(value());
        else if (a == "--stall-prob") o.stall_prob = std::stod(value());
        else if (a == "--seed") o.seed = std::stoull(value());
        else if (a == "--max-idle-cycles") o.max_idle_cycles = std::stoull(value());
        else if (a.rfind("+verilator", 0) == 0) continue;
        else fail("unknown argument " + a);
    }
    if (o.images.empty() || o.scores_out.empty()) fail("--images and --scores-out are required");
    if (o.score_bits < 1 || o.score_bits > 32) fail("--score-bits must be 1..32");
    if (!o.score_signed && o.score_bits > 31) fail("unsigned --score-bits must be 1..31 to fit int32");
    return o;
}

std::vector<uint8_t> read_file(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) fail(path + ": cannot open");
    std::vector<uint8_t> data;
    uint8_t buffer[1 << 16];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) data.insert(data.end(), buffer, buffer + n);
    std::fclose(f);
    return data;
}

void write_file(const std::string& path, const void* data, size_t bytes) {
    std::string temp = path + ".tmp";
    FILE* f = std::fopen(temp.c_str(), "wb");
    if (!f) fail(temp + ": cannot write");
    if (bytes && std::fwrite(data, 1, bytes, f) != bytes) fail(temp + ": write failed");
    std::fclose(f);
    if (std::rename(temp.c_str(), path.c_str()) != 0) fail(path + ": cannot rename");
}

// A score's low `bits` bits as the golden model's integer: sign-extended, or zero-extended when the
// scores are unsigned (docs/fixed-point.md section 1).
int32_t extend(uint64_t raw, int bits, bool is_signed) {
    uint64_t mask = bits == 64 ? ~0ull : ((1ull << bits) - 1);
    uint64_t v = raw & mask;
    if (is_signed && bits < 64 && (v >> (bits - 1)) & 1) v |= ~mask;
    return static_cast<int32_t>(static_cast<int64_t>(v));
}

}  // namespace

int main(int argc, char** argv) {
    Options opt = parse(argc, argv);
    std::vector<uint8_t> images = read_file(opt.images);
    if (opt.pixels <= 0 || images.size() % static_cast<size_t>(opt.pixels) != 0)
        fail(opt.images + ": size " + std::to_string(images.size()) + " is not a multiple of " + std::to_string(opt.pixels));
    long long count = static_cast<long long>(images.size()) / opt.pixels;
    if (opt.count >= 0 && opt.count < count) count = opt.count;

    auto context = std::make_unique<VerilatedContext>();
    context->commandArgs(argc, argv);
    auto top = std::make_unique<Vlenet_top>(context.get());
#if VM_TRACE
    std::unique_ptr<VerilatedVcdC> tracer;
    if (!opt.trace.empty()) {
        context->traceEverOn(true);
        tracer = std::make_unique<VerilatedVcdC>();
        top->trace(tracer.get(), 99);
        tracer->open(opt.trace.c_str());
    }
#else
    if (!opt.trace.empty()) fail("this simulator was built without --trace");
#endif
#ifdef LENET_TAPS
    LenetTaps taps;
#endif

    std::mt19937_64 rng(opt.seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    auto stalled = [&]() { return opt.stall_prob > 0.0 && uniform(rng) < opt.stall_prob; };

    uint64_t cycle = 0;
    uint64_t time = 0;
    auto tick = [&](bool high) {
        top->ap_clk = high;
        top->eval();
#if VM_TRACE
        if (tracer) tracer->dump(time);
#endif
        ++time;
    };

    top->ap_rst_n = 0;
    top->ap_start = 0;
    top->pixels_TVALID = 0;
    top->pixels_TDATA = 0;
    top->scores_TREADY = 0;
    for (int i = 0; i < 8; ++i) { tick(false); tick(true); }
    top->ap_rst_n = 1;

    const long long total_pixels = count * opt.pixels;
    const long long total_scores = count * opt.classes;
    std::vector<int32_t> scores(static_cast<size_t>(total_scores));
    std::vector<uint64_t> first_pixel(static_cast<size_t>(count), 0);
    std::vector<uint64_t> last_score(static_cast<size_t>(count), 0);
    long long pixel_index = 0;
    long long score_index = 0;
    bool pixel_valid = false;
    uint64_t last_progress = 0;

    while (score_index < total_scores) {
        top->ap_start = 1;
        // AXI-Stream: once TVALID is up it stays up, with the same data, until the beat is taken.
        if (!pixel_valid && pixel_index < total_pixels) pixel_valid = !stalled();
        top->pixels_TVALID = pixel_valid;
        top->pixels_TDATA = pixel_valid ? images[static_cast<size_t>(pixel_index)] : 0;
        top->scores_TREADY = !stalled();
        tick(false);

        bool pixel_beat = top->pixels_TVALID && top->pixels_TREADY;
        bool score_beat = top->scores_TVALID && top->scores_TREADY;
        uint64_t score_raw = static_cast<uint64_t>(top->scores_TDATA);
#ifdef LENET_TAPS
        if (!opt.taps_dir.empty()) taps.sample(*top);
#endif
        tick(true);
        ++cycle;

        if (pixel_beat) {
            if (pixel_index % opt.pixels == 0) first_pixel[static_cast<size_t>(pixel_index / opt.pixels)] = cycle;
            ++pixel_index;
            pixel_valid = false;
            last_progress = cycle;
        }
        if (score_beat) {
            scores[static_cast<size_t>(score_index)] = extend(score_raw, opt.score_bits, opt.score_signed);
            ++score_index;
            if (score_index % opt.classes == 0) last_score[static_cast<size_t>(score_index / opt.classes - 1)] = cycle;
            last_progress = cycle;
        }
        if (cycle - last_progress > opt.max_idle_cycles)
            fail("no stream progress for " + std::to_string(opt.max_idle_cycles) + " cycles after " +
                 std::to_string(pixel_index) + " pixels and " + std::to_string(score_index) + " scores (deadlock)");
    }
    top->final();
#if VM_TRACE
    if (tracer) tracer->close();
#endif

    write_file(opt.scores_out, scores.data(), scores.size() * sizeof(int32_t));
#ifdef LENET_TAPS
    if (!opt.taps_dir.empty()) taps.write(opt.taps_dir, write_file);
#endif
    if (!opt.cycles_out.empty()) {
        std::string json = "{\"images\": " + std::to_string(count) + ", \"cycles\": " + std::to_string(cycle) +
                           ", \"firstPixel\": [";
        for (long long i = 0; i < count; ++i) json += (i ? "," : "") + std::to_string(first_pixel[static_cast<size_t>(i)]);
        json += "], \"lastScore\": [";
        for (long long i = 0; i < count; ++i) json += (i ? "," : "") + std::to_string(last_score[static_cast<size_t>(i)]);
        json += "]}\n";
        write_file(opt.cycles_out, json.data(), json.size());
    }
    return 0;
}
