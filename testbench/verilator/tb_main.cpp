// Verilator co-simulation harness for the LeNet accelerator (generated RTL or a Vitis export; both
// have the ports of `void lenet5(const pixel_t pixels[784], score_t scores[10])` with axis
// interfaces and ap_ctrl_hs). It streams images [--first, --first + --count) of tb_data/images.bin
// into pixels_*, collects scores_*, optionally with seeded random TVALID gaps and TREADY
// back-pressure, counts cycles per image and writes the scores (int32 little-endian) plus a cycles
// report (JSON). Scores are --score-bits wide, read as signed unless --score-signed 0 (unsigned ufx
// scores, docs/fixed-point.md section 1).
//
// The host drives ap_start in one of three modes (--host):
//   hold        ap_start stays high while images remain (back to back, the II figure);
//   handshake   ap_start is raised, dropped after ap_ready, and raised again after 0..--start-gap
//               random cycles (what Vitis drivers do);
//   sequential  one image at a time: the next start waits for all scores of the previous image.
// Pixels are offered as soon as they exist, whatever ap_start says, as a DMA engine would, so an
// image begun without a start shows up as pixels taken too early.
//
// A protocol checker watches every cycle and fails the run (exit code 3) on
//   scores_TDATA changing (or TVALID dropping) while TVALID && !TREADY;
//   more images begun than starts given: ap_ready while ap_start is low, or the whole of image k
//   taken before k + 1 starts were given (a few early beats are fine: register slices);
//   ap_done without a pending image (more dones than starts, or before the image's last score);
//   ap_idle low with nothing in flight (no start pending, every started image done), which is also
//   checked for --drain-cycles after the last image.
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

enum class Host { Hold, Handshake, Sequential };

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
    long long first = 0;
    long long count = -1;
    double stall_prob = 0.0;
    unsigned long long seed = 1;
    unsigned long long max_idle_cycles = 5000000;
    Host host = Host::Hold;
    int start_gap = 8;
    int drain_cycles = 64;
};

constexpr int kUsageError = 2;
constexpr int kProtocolError = 3;

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "cosim: %s\n", message.c_str());
    std::exit(kUsageError);
}

[[noreturn]] void violation(uint64_t cycle, const std::string& message) {
    std::fprintf(stderr, "cosim: protocol violation at cycle %llu: %s\n", static_cast<unsigned long long>(cycle), message.c_str());
    std::exit(kProtocolError);
}

Host parse_host(const std::string& name) {
    if (name == "hold") return Host::Hold;
    if (name == "handshake") return Host::Handshake;
    if (name == "sequential") return Host::Sequential;
    fail("--host must be hold, handshake or sequential, got " + name);
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
        else if (a == "--first") o.first = std::stoll(value());
        else if (a == "--count") o.count = std::stoll(value());
        else if (a == "--stall-prob") o.stall_prob = std::stod(value());
        else if (a == "--seed") o.seed = std::stoull(value());
        else if (a == "--max-idle-cycles") o.max_idle_cycles = std::stoull(value());
        else if (a == "--host") o.host = parse_host(value());
        else if (a == "--start-gap") o.start_gap = std::stoi(value());
        else if (a == "--drain-cycles") o.drain_cycles = std::stoi(value());
        else if (a.rfind("+verilator", 0) == 0) continue;
        else fail("unknown argument " + a);
    }
    if (o.images.empty() || o.scores_out.empty()) fail("--images and --scores-out are required");
    if (o.score_bits < 1 || o.score_bits > 32) fail("--score-bits must be 1..32");
    if (!o.score_signed && o.score_bits > 31) fail("unsigned --score-bits must be 1..31 to fit int32");
    if (o.first < 0) fail("--first must be >= 0");
    if (o.start_gap < 0) fail("--start-gap must be >= 0");
    if (o.drain_cycles < 0) fail("--drain-cycles must be >= 0");
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

// The ap_ctrl_hs host side: when to raise ap_start, and how many starts it has given.
class StartDriver {
public:
    StartDriver(Host host, int max_gap, long long images, unsigned long long seed)
        : host_(host), max_gap_(max_gap), images_(images), rng_(seed ^ 0x9e3779b97f4a7c15ull) {}

    // Decides ap_start for the coming cycle; `finished` is the number of images whose scores are all in.
    bool drive(long long finished) {
        if (!pending_ && given_ < images_) {
            if (gap_left_ > 0) {
                --gap_left_;
            } else if (host_ != Host::Sequential || finished == given_) {
                pending_ = true;
                ++given_;
            }
        }
        return pending_;
    }

    // After the clock edge: ap_start && ap_ready completes the handshake of the pending start.
    void edge(bool ap_start, bool ap_ready) {
        if (!(ap_start && ap_ready)) return;
        pending_ = false;
        if (host_ == Host::Handshake) gap_left_ = std::uniform_int_distribution<int>(0, max_gap_)(rng_);
    }

    long long given() const { return given_; }
    bool pending() const { return pending_; }

private:
    Host host_;
    int max_gap_;
    long long images_;
    std::mt19937_64 rng_;
    bool pending_ = false;
    long long given_ = 0;
    int gap_left_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    Options opt = parse(argc, argv);
    std::vector<uint8_t> file = read_file(opt.images);
    if (opt.pixels <= 0 || file.size() % static_cast<size_t>(opt.pixels) != 0)
        fail(opt.images + ": size " + std::to_string(file.size()) + " is not a multiple of " + std::to_string(opt.pixels));
    const long long available = static_cast<long long>(file.size()) / opt.pixels;
    if (opt.first > available) fail("--first " + std::to_string(opt.first) + " is past the " + std::to_string(available) + " images");
    long long count = available - opt.first;
    if (opt.count >= 0 && opt.count < count) count = opt.count;
    if (count == 0) fail(opt.images + ": no images to simulate");
    const uint8_t* images = file.data() + opt.first * opt.pixels;

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
    const bool tapping = !opt.taps_dir.empty();
#else
    if (!opt.taps_dir.empty()) fail("this simulator was built without the debug taps");
#endif

    std::mt19937_64 rng(opt.seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const bool stalling = opt.stall_prob > 0.0;
    auto stalled = [&]() { return stalling && uniform(rng) < opt.stall_prob; };

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
    std::vector<uint64_t> start_cycle(static_cast<size_t>(count), 0);
    std::vector<uint64_t> last_score(static_cast<size_t>(count), 0);
    long long pixel_index = 0;
    long long score_index = 0;
    long long finished = 0;  // images whose scores are all in
    long long dones = 0;
    bool pixel_valid = false;
    uint64_t last_progress = 0;
    StartDriver starts(opt.host, opt.start_gap, count, opt.seed);
    // The score stream as seen at the previous edge, for the AXI-Stream stability rule.
    bool score_held = false;
    uint64_t held_data = 0;

    // `finishing` is 1 when this cycle's score beat is an image's last (ap_done may come with it).
    auto check_cycle = [&](bool ap_start, long long finishing) {
        if (top->ap_done) {
            if (dones >= starts.given()) violation(cycle, "ap_done with no pending image (" + std::to_string(dones) + " done, " + std::to_string(starts.given()) + " started)");
            if (dones >= finished + finishing) violation(cycle, "ap_done for image " + std::to_string(dones) + " before its last score");
            ++dones;
        }
        if (!top->ap_idle && !ap_start && dones == starts.given())
            violation(cycle, "ap_idle low with nothing in flight (" + std::to_string(dones) + " started images all done, no start pending)");
    };

    int drain_left = opt.drain_cycles;
    while (score_index < total_scores || drain_left > 0) {
        const bool draining = score_index >= total_scores;
        if (draining) --drain_left;
        const long long given_before = starts.given();
        const bool ap_start = starts.drive(finished);
        if (starts.given() != given_before) start_cycle[static_cast<size_t>(given_before)] = cycle + 1;
        top->ap_start = ap_start;
        // AXI-Stream: once TVALID is up it stays up, with the same data, until the beat is taken.
        if (!pixel_valid && pixel_index < total_pixels) pixel_valid = !stalled();
        top->pixels_TVALID = pixel_valid;
        top->pixels_TDATA = pixel_valid ? images[pixel_index] : 0;
        top->scores_TREADY = !stalled();
        tick(false);

        const bool score_valid = top->scores_TVALID;
        const uint64_t score_raw = static_cast<uint64_t>(top->scores_TDATA);
        if (score_held && (!score_valid || score_raw != held_data))
            violation(cycle, score_valid ? "scores_TDATA changed while TVALID && !TREADY" : "scores_TVALID dropped before TREADY");
        const bool pixel_beat = pixel_valid && top->pixels_TREADY;
        const bool score_beat = score_valid && top->scores_TREADY;
        score_held = score_valid && !top->scores_TREADY;
        held_data = score_raw;
        const bool ap_ready = top->ap_ready;
        if (ap_ready && !ap_start) violation(cycle, "ap_ready without ap_start: an image began without a start");
        check_cycle(ap_start, score_beat && (score_index + 1) % opt.classes == 0 ? 1 : 0);
#ifdef LENET_TAPS
        if (tapping) taps.sample(*top);
#endif
        tick(true);
        ++cycle;
        starts.edge(ap_start, ap_ready);

        if (pixel_beat) {
            const long long image = pixel_index / opt.pixels;
            // Input register slices may take a few beats of the next image early, but a whole image
            // taken before its start means the DUT began it on its own.
            if (pixel_index % opt.pixels == opt.pixels - 1 && image >= starts.given())
                violation(cycle, "all pixels of image " + std::to_string(image) + " taken after only " + std::to_string(starts.given()) + " start(s): an image began without ap_start");
            if (pixel_index % opt.pixels == 0) first_pixel[static_cast<size_t>(image)] = cycle;
            ++pixel_index;
            pixel_valid = false;
            last_progress = cycle;
        }
        if (score_beat) {
            if (draining) violation(cycle, "a score beyond the last image's");
            scores[static_cast<size_t>(score_index)] = extend(score_raw, opt.score_bits, opt.score_signed);
            ++score_index;
            if (score_index % opt.classes == 0) {
                last_score[static_cast<size_t>(finished)] = cycle;
                ++finished;
            }
            last_progress = cycle;
        }
        if (cycle - last_progress > opt.max_idle_cycles)
            fail("no stream progress for " + std::to_string(opt.max_idle_cycles) + " cycles after " +
                 std::to_string(pixel_index) + " pixels and " + std::to_string(score_index) + " scores (deadlock)");
    }
    if (dones != count)
        violation(cycle, std::to_string(dones) + " ap_done pulses for " + std::to_string(count) + " images");
    top->final();
#if VM_TRACE
    if (tracer) tracer->close();
#endif

    write_file(opt.scores_out, scores.data(), scores.size() * sizeof(int32_t));
#ifdef LENET_TAPS
    if (tapping) taps.write(opt.taps_dir, write_file);
#endif
    if (!opt.cycles_out.empty()) {
        std::string json = "{\"first\": " + std::to_string(opt.first) + ", \"images\": " + std::to_string(count) +
                           ", \"cycles\": " + std::to_string(cycle) + ", \"firstPixel\": [";
        for (long long i = 0; i < count; ++i) json += (i ? "," : "") + std::to_string(first_pixel[static_cast<size_t>(i)]);
        json += "], \"start\": [";
        for (long long i = 0; i < count; ++i) json += (i ? "," : "") + std::to_string(start_cycle[static_cast<size_t>(i)]);
        json += "], \"lastScore\": [";
        for (long long i = 0; i < count; ++i) json += (i ? "," : "") + std::to_string(last_score[static_cast<size_t>(i)]);
        json += "]}\n";
        write_file(opt.cycles_out, json.data(), json.size());
    }
    return 0;
}
