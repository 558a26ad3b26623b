using System.Text.RegularExpressions;

namespace LeNetHls.RtlCodegen;

/// <summary>Xilinx 7-series resources of the generated RTL as yosys synth_xilinx counts them.</summary>
public sealed record ResourceEstimate
{
    public required string Top { get; init; }
    public required long Lut { get; init; }
    /// <summary>LUTs used as distributed RAM/ROM (RAM32M, RAM64X1D, …), counted as cells.</summary>
    public required long LutRamCells { get; init; }
    public required long Ff { get; init; }
    public required long Dsp48E1 { get; init; }
    public required long Bram18 { get; init; }
    public required long Bram36 { get; init; }
    public required long Carry4 { get; init; }
    public required double Seconds { get; init; }
    public required IReadOnlyDictionary<string, long> Cells { get; init; }
    /// <summary>The same counts split by layer (its window, MVAU or pool, controller and input buffer); I/O and glue apart.</summary>
    public IReadOnlyList<LayerResources> Layers { get; init; } = [];
    /// <summary>Worst register-to-register logic depth of the mapped netlist; null when not measured.</summary>
    public LogicDepthReport? Depth { get; init; }
    public SynthRunInfo? Run { get; init; }

    public static ResourceEstimate FromCells(IReadOnlyDictionary<string, long> cells, string top, double seconds)
    {
        long Sum(Func<string, bool> match) => cells.Where(c => match(c.Key)).Sum(c => c.Value);
        return new ResourceEstimate
        {
            Top = top,
            Lut = Sum(n => n.StartsWith("LUT", StringComparison.Ordinal)),
            LutRamCells = Sum(n => n.StartsWith("RAM", StringComparison.Ordinal) && !n.StartsWith("RAMB", StringComparison.Ordinal)),
            Ff = Sum(n => n.StartsWith("FD", StringComparison.Ordinal)),
            Dsp48E1 = Sum(n => n == "DSP48E1"),
            Bram18 = Sum(n => n == "RAMB18E1"),
            Bram36 = Sum(n => n == "RAMB36E1"),
            Carry4 = Sum(n => n == "CARRY4"),
            Seconds = seconds,
            Cells = cells,
        };
    }
}

public sealed record LayerResources(string Layer, long Lut, long LutRamCells, long Ff, long Dsp48E1, long Bram18, long Bram36, long Carry4)
{
    public static LayerResources Of(string layer, IReadOnlyDictionary<string, long> cells)
    {
        var e = ResourceEstimate.FromCells(cells, layer, 0);
        return new LayerResources(layer, e.Lut, e.LutRamCells, e.Ff, e.Dsp48E1, e.Bram18, e.Bram36, e.Carry4);
    }
}

/// <summary>How the estimate was obtained: distinct modules, how many came from the cache, where the time went.</summary>
public sealed record SynthRunInfo(string Mode, int Modules, int Instances, int FromCache, int Synthesized, int Jobs, string Cache,
                                  double ElaborateSeconds, double SynthesizeSeconds, double DepthSeconds, bool DepthFromCache);

public sealed record SynthOptions
{
    /// <summary>yosys processes at once.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;
    public SynthCache? Cache { get; init; }
    /// <summary>One synth_xilinx run of the whole design, no cache: the reference the per-module sums are checked against.</summary>
    public bool Flat { get; init; }
    public bool Depth { get; init; } = true;
}

/// <summary>
/// `synth-estimate`: yosys `synth_xilinx -family xc7` of DIR/rtl. synth_xilinx keeps the hierarchy and
/// optimizes each module on its own, so the design is elaborated once, each distinct module (module and
/// parameter set) is synthesized alone with its sub-modules as blackboxes, in parallel and through a
/// content-addressed cache, and the cell counts are summed over the instance tree: the totals of one flat
/// run, in a fraction of its time (bench/synth_bench.sh checks that they are equal). The logic depth is
/// measured on the mapped modules joined and flattened.
/// </summary>
public static partial class SynthEstimator
{
    public const string SynthFolder = "synth";
    public const string ResultFile = "resources.json";
    /// <summary>Changes whenever the scripts below change what a cache entry holds.</summary>
    private const string CacheVersion = "synth-batch-1";
    /// <summary>Changes whenever the depth measurement or its naming changes (the synthesis entries stay valid).</summary>
    private const string DepthVersion = "depth-3";
    public const string IoAndControl = "I/O and control";

    public static ResourceEstimate Run(string dir) => Run(dir, new SynthOptions { Cache = SynthCache.Default() });

    public static ResourceEstimate Run(string dir, SynthOptions options)
    {
        string yosys = ExternalTool.Require("yosys");
        string rtlDir = Path.GetFullPath(Path.Combine(dir, CosimRunner.RtlFolder));
        if (!Directory.Exists(rtlDir)) throw new LeNetHlsException($"{rtlDir}: RTL folder not found (run `lenet-hls codegen` first)");
        var plan = CosimRunner.ReadPlan(rtlDir);
        // Built in a sibling staging folder and swapped in whole: a failure, Ctrl-C or kill leaves the previous
        // result, never a mix; what a killed run left beside it is cleaned up by Begin.
        using var work = AtomicDirectory.Begin(Path.Combine(dir, SynthFolder));
        var estimate = options.Flat ? RunFlat(yosys, rtlDir, work.StagingPath, plan) : RunPerModule(yosys, rtlDir, work.StagingPath, plan, options);
        AtomicFile.WriteAllText(Path.Combine(work.StagingPath, ResultFile), JsonSerializer.Serialize(estimate, RtlPlan.Json));
        work.Commit();
        return estimate;
    }

    private static string ReadSources(string rtlDir) =>
        string.Join(' ', Directory.GetFiles(rtlDir, "*.v").Select(Path.GetFileName).Order(StringComparer.Ordinal));

    private static ResourceEstimate RunFlat(string yosys, string rtlDir, string work, RtlPlan plan)
    {
        string statPath = Path.Combine(work, "stat.json");
        string script = Path.Combine(work, "synth.ys");
        // -defer: elaborate only with the real parameters, so no ROM reads its placeholder file name.
        AtomicFile.WriteAllText(script,
            $"read_verilog -defer {ReadSources(rtlDir)}\n" +
            $"hierarchy -top {plan.Top}\n" +
            $"synth_xilinx -family xc7 -top {plan.Top}\n" +
            $"tee -q -o {statPath} stat -json\n");
        var clock = Stopwatch.StartNew();
        string log = Path.Combine(work, "yosys.log");
        if (File.Exists(statPath)) File.Delete(statPath);
        var result = ExternalTool.Run(yosys, ["-q", "-l", log, script], rtlDir);
        if (result.ExitCode != 0 || !File.Exists(statPath))
            throw new LeNetHlsException($"{log}: yosys failed: {ExternalTool.FirstError(result.Output)}");
        return Parse(File.ReadAllText(statPath), plan.Top, clock.Elapsed.TotalSeconds) with
        {
            Run = new SynthRunInfo("flat", 0, 0, 0, 1, 1, "", 0, clock.Elapsed.TotalSeconds, 0, false),
        };
    }

    private sealed record Unit(RtlilModule Module, string Text, string Key);

    private static ResourceEstimate RunPerModule(string yosys, string rtlDir, string work, RtlPlan plan, SynthOptions options)
    {
        var total = Stopwatch.StartNew();
        var cache = options.Cache ?? SynthCache.Default();
        string version = YosysVersion(yosys, work);

        // 1. Elaborate once: every module with its real parameters, ROM contents included; cached under the
        //    sources, includes and ROM files, so a warm run reads the elaborated design back.
        var clock = Stopwatch.StartNew();
        string elaborated = Path.Combine(work, "elaborated.il");
        var inputs = Directory.GetFiles(rtlDir).Where(f => f.EndsWith(".v", StringComparison.Ordinal) || f.EndsWith(".vh", StringComparison.Ordinal) || f.EndsWith(".mem", StringComparison.Ordinal))
                              .Order(StringComparer.Ordinal).Select(f => Path.GetFileName(f) + ":" + Hashing.Sha256OfFile(f));
        string elaborateKey = SynthCache.Key([CacheVersion, version, plan.Top, .. inputs]);
        string elaboratedEntry = cache.TryGet("elaborate", elaborateKey) ?? cache.Put("elaborate", elaborateKey, temp =>
            RunYosys(yosys, temp, "elaborate",
                $"read_verilog -defer {ReadSources(rtlDir)}\nhierarchy -top {plan.Top}\nwrite_rtlil {Path.Combine(temp, "elaborated.il")}\n", rtlDir));
        File.Copy(Path.Combine(elaboratedEntry, "elaborated.il"), elaborated, overwrite: true);
        var modules = Rtlil.ParseModules(File.ReadAllText(elaborated)).ToDictionary(m => m.Name);
        string topName = "\\" + plan.Top;
        if (!modules.ContainsKey(topName)) throw LeNetHlsException.InFile(elaborated, $"top module '{plan.Top}' missing after elaboration");
        var instances = CountInstances(modules, topName);
        double elaborateSeconds = clock.Elapsed.TotalSeconds;

        // 2. Each distinct module once: cached ones read back, the rest shared out over `jobs` lanes of yosys
        //    processes (one synth_xilinx run costs seconds of fixed set-up, so each lane synthesizes one batch).
        var units = instances.Keys.Select(name => MakeUnit(modules, name, version)).ToList();
        clock.Restart();
        var cells = new Dictionary<string, IReadOnlyDictionary<string, long>>();
        var mapped = new Dictionary<string, string>();
        var missing = new List<Unit>();
        foreach (var unit in units)
        {
            if (cache.TryGet("synth", unit.Key) is { } entry) Load(unit, entry);
            else missing.Add(unit);
        }
        int fromCache = units.Count - missing.Count;
        int jobs = Math.Max(1, options.Jobs);
        // The design's top goes alone: a batch holding it would take it for the top and drop every module it does not use.
        var lanes = SynthSchedule.Plan(missing, u => SynthSchedule.EstimatedCost(u.Text.Length), u => u.Module.Name == topName, jobs);
        var gate = new object();
        SynthSchedule.Run(lanes, (batch, index) =>
        {
            string batchDir = Path.Combine(work, $"batch{index}");
            Directory.CreateDirectory(batchDir);
            var results = SynthesizeBatch(yosys, modules, batch, batchDir);
            foreach (var unit in batch)
            {
                string entry = cache.Put("synth", unit.Key, temp =>
                {
                    File.WriteAllText(Path.Combine(temp, "mapped.il"), results[unit.Module.Name]);
                    File.WriteAllText(Path.Combine(temp, "cells.json"), JsonSerializer.Serialize(CountCells(results[unit.Module.Name])));
                });
                lock (gate) Load(unit, entry);
            }
            Directory.Delete(batchDir, recursive: true);
        });

        void Load(Unit unit, string entry)
        {
            var counts = JsonSerializer.Deserialize<Dictionary<string, long>>(File.ReadAllText(Path.Combine(entry, "cells.json")))!;
            cells[unit.Module.Name] = Primitives(counts, modules.ContainsKey);
            mapped[unit.Module.Name] = File.ReadAllText(Path.Combine(entry, "mapped.il"));
        }
        double synthSeconds = clock.Elapsed.TotalSeconds;

        // 3. Totals over the instance tree, and per layer over the top's instances.
        var totals = new Dictionary<string, long>();
        foreach (var (name, count) in instances) Accumulate(totals, cells[name], count);
        var layerOf = LayerOfInstance(plan);
        var perLayer = new Dictionary<string, Dictionary<string, long>> { [IoAndControl] = new(cells[topName]) };
        foreach (var cell in modules[topName].Cells.Where(c => modules.ContainsKey(c.Type)))
        {
            string layer = layerOf(cell.Instance.TrimStart('\\'));
            if (!perLayer.TryGetValue(layer, out var sum)) perLayer[layer] = sum = [];
            foreach (var (name, count) in CountInstances(modules, cell.Type)) Accumulate(sum, cells[name], count);
        }
        var layerOrder = plan.Layers.Select(l => l.Name).Append("scores").Append(IoAndControl).ToList();
        var layers = perLayer.OrderBy(p => layerOrder.IndexOf(p.Key) is var i && i < 0 ? int.MaxValue : i)
                             .Select(p => LayerResources.Of(p.Key, p.Value)).ToList();

        // 4. Logic depth of the joined, flattened mapped netlist (cached under the set of module keys).
        clock.Restart();
        LogicDepthReport? depth = null;
        bool depthFromCache = false;
        if (options.Depth)
        {
            string key = SynthCache.Key([CacheVersion, DepthVersion, version, plan.Top, string.Join(',', layerOrder),
                                         .. units.Select(u => u.Key).Order(StringComparer.Ordinal)]);
            string? entry = cache.TryGet("depth", key);
            depthFromCache = entry is not null;
            entry ??= cache.Put("depth", key, temp =>
            {
                var report = MeasureDepth(yosys, temp, plan.Top, mapped.Values, layerOf);
                File.WriteAllText(Path.Combine(temp, "depth.json"), JsonSerializer.Serialize(report, RtlPlan.Json));
            });
            depth = JsonSerializer.Deserialize<LogicDepthReport>(File.ReadAllText(Path.Combine(entry, "depth.json")), RtlPlan.Json);
        }
        double depthSeconds = clock.Elapsed.TotalSeconds;

        return ResourceEstimate.FromCells(totals, plan.Top, total.Elapsed.TotalSeconds) with
        {
            Layers = layers,
            Depth = depth,
            Run = new SynthRunInfo("per-module", units.Count, (int)instances.Values.Sum(), fromCache, units.Count - fromCache, jobs, cache.Root,
                                   elaborateSeconds, synthSeconds, depthSeconds, depthFromCache),
        };
    }

    /// <summary>How many times each module occurs in the instance tree under <paramref name="root"/> (root included, once).</summary>
    private static Dictionary<string, long> CountInstances(Dictionary<string, RtlilModule> modules, string root)
    {
        var counts = new Dictionary<string, long>();
        void Visit(string name, long times)
        {
            counts[name] = counts.GetValueOrDefault(name) + times;
            foreach (var group in modules[name].Cells.Where(c => modules.ContainsKey(c.Type)).GroupBy(c => c.Type))
                Visit(group.Key, times * group.Count());
        }
        Visit(root, 1);
        return counts;
    }

    private static void Accumulate(Dictionary<string, long> sum, IReadOnlyDictionary<string, long> cells, long times)
    {
        foreach (var (type, count) in cells) sum[type] = sum.GetValueOrDefault(type) + count * times;
    }

    /// <summary>
    /// A module alone: its text with automatic names renumbered, so it depends on the module only, and its
    /// sub-modules' ports, which decide how it is synthesized; the cache key covers both and the yosys version.
    /// </summary>
    private static Unit MakeUnit(Dictionary<string, RtlilModule> modules, string name, string yosysVersion)
    {
        var module = modules[name];
        string text = Rtlil.NormalizeAutoNames(module.Text);
        var interfaces = module.Cells.Select(c => c.Type).Where(modules.ContainsKey).Distinct().Order(StringComparer.Ordinal)
                                     .Select(child => Rtlil.Blackbox(modules[child]));
        return new Unit(module, text, SynthCache.Key([CacheVersion, yosysVersion, BatchScript, text, .. interfaces]));
    }

    /// <summary>
    /// synth_xilinx over several modules at once. With no module marked top it keeps every module, and since it
    /// does not flatten, each is optimized and mapped on its own, exactly as in a flat run of the whole design.
    /// The design's top (marked top since elaboration) is synthesized in a batch of its own, the only one where
    /// I/O and clock buffers go, as in a flat run.
    /// </summary>
    private const string BatchScript =
        "read_verilog -lib -specify +/xilinx/cells_sim.v\n" +
        "read_verilog -lib +/xilinx/cells_xtra.v\n" +
        "read_rtlil batch.il\n" +
        "hierarchy -check\n" +
        "synth_xilinx -family xc7 -run prepare:\n" +
        "write_rtlil mapped.il\n";

    private static Dictionary<string, string> SynthesizeBatch(string yosys, Dictionary<string, RtlilModule> modules, List<Unit> batch, string dir)
    {
        var inBatch = batch.Select(u => u.Module.Name).ToHashSet(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var child in batch.SelectMany(u => u.Module.Cells).Select(c => c.Type)
                                   .Where(t => modules.ContainsKey(t) && !inBatch.Contains(t)).Distinct().Order(StringComparer.Ordinal))
            text.Append(Rtlil.Blackbox(modules[child]));
        foreach (var unit in batch) text.Append(unit.Text);
        File.WriteAllText(Path.Combine(dir, "batch.il"), text.ToString());
        RunYosys(yosys, dir, "synth", BatchScript, dir);
        var result = Rtlil.ParseModules(File.ReadAllText(Path.Combine(dir, "mapped.il"))).Where(m => inBatch.Contains(m.Name))
                          .ToDictionary(m => m.Name, m => m.Text);
        if (inBatch.FirstOrDefault(n => !result.ContainsKey(n)) is { } lost)
            throw LeNetHlsException.InFile(Path.Combine(dir, "mapped.il"), $"module {lost} missing after synthesis");
        return result;
    }

    /// <summary>Cells by type of one mapped module, as yosys `stat` counts them.</summary>
    private static Dictionary<string, long> CountCells(string mappedModule)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match m in MappedCell().Matches(mappedModule)) counts[m.Groups[1].Value] = counts.GetValueOrDefault(m.Groups[1].Value) + 1;
        return counts;
    }

    [GeneratedRegex(@"^  cell (\S+) ", RegexOptions.Multiline)]
    private static partial Regex MappedCell();

    private static LogicDepthReport MeasureDepth(string yosys, string dir, string top, IEnumerable<string> mappedModules,
                                                 Func<string, string> layerOfInstance)
    {
        File.WriteAllText(Path.Combine(dir, "mapped.il"), string.Concat(mappedModules));
        RunYosys(yosys, dir, "join",
            "read_verilog -lib -specify +/xilinx/cells_sim.v\n" +
            "read_verilog -lib +/xilinx/cells_xtra.v\n" +
            "read_rtlil mapped.il\n" +
            $"hierarchy -top {top}\n" +
            // The primitives' simulation models stay cells: only their port directions are wanted.
            "blackbox =A:whitebox\n" +
            "flatten\n" +
            "write_json netlist.json\n", dir);
        var report = LogicDepth.Analyze(File.ReadAllText(Path.Combine(dir, "netlist.json")), top, cell => layerOfInstance(TopInstance(cell)));
        File.Delete(Path.Combine(dir, "netlist.json"));
        File.Delete(Path.Combine(dir, "mapped.il"));
        return report;
    }

    /// <summary>The top-level instance a flattened cell belongs to ("" for the top's own cells, whose names yosys made up).</summary>
    private static string TopInstance(string flattenedCell)
    {
        string name = LogicDepth.WithoutFlattenPrefix(flattenedCell);
        if (name.StartsWith('$')) return "";
        int dot = name.IndexOf('.');
        return dot < 0 ? "" : name[..dot];
    }

    /// <summary>
    /// The layer an instance of the top serves: `l{i}_{layer}_…` (window, MVAU or pool, controller), and
    /// `buffer{k}`, the input buffer of layer k (the last one feeds the score stream).
    /// </summary>
    private static Func<string, string> LayerOfInstance(RtlPlan plan) => instance =>
    {
        if (BufferInstance().Match(instance) is { Success: true } b)
        {
            int k = int.Parse(b.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            return k < plan.Layers.Count ? plan.Layers[k].Name : "scores";
        }
        if (LayerInstance().Match(instance) is { Success: true } l)
            foreach (var layer in plan.Layers)
                if (l.Groups[1].Value.StartsWith(layer.Name + "_", StringComparison.Ordinal)) return layer.Name;
        return IoAndControl;
    };

    [GeneratedRegex(@"^buffer(\d+)$")]
    private static partial Regex BufferInstance();

    [GeneratedRegex(@"^l\d+_(.+)$")]
    private static partial Regex LayerInstance();

    private static string YosysVersion(string yosys, string work)
    {
        var result = ExternalTool.Run(yosys, ["-V"], work);
        if (result.ExitCode != 0) throw new LeNetHlsException($"{yosys}: `yosys -V` failed: {ExternalTool.FirstError(result.Output)}");
        return result.Output.Trim();
    }

    private static void RunYosys(string yosys, string dir, string name, string script, string workingDir)
    {
        string scriptPath = Path.Combine(dir, name + ".ys");
        string log = Path.Combine(dir, name + ".log");
        File.WriteAllText(scriptPath, script);
        var result = ExternalTool.Run(yosys, ["-q", "-l", log, scriptPath], workingDir);
        if (result.ExitCode != 0) throw new LeNetHlsException($"{log}: yosys failed: {ExternalTool.FirstError(result.Output)}");
    }

    /// <summary>
    /// Reads the design totals (cells by type) of yosys `stat -json`. Yosys 0.23 prints the
    /// hierarchy as plain text inside that JSON, so only the "design" object is parsed.
    /// </summary>
    public static ResourceEstimate Parse(string statJson, string top, double seconds) =>
        ResourceEstimate.FromCells(Primitives(ParseCells(statJson, top), _ => false), top, seconds);

    /// <summary>Primitive cell counts without yosys' `$`/`\` name prefixes, leaving out the cells that are design modules.</summary>
    private static Dictionary<string, long> Primitives(Dictionary<string, long> cells, Func<string, bool> isModule) =>
        cells.Where(c => !isModule(c.Key)).GroupBy(c => c.Key.TrimStart('$', '\\')).ToDictionary(g => g.Key, g => g.Sum(c => c.Value));

    /// <summary>Cell counts by type, named as yosys names them.</summary>
    private static Dictionary<string, long> ParseCells(string statJson, string top)
    {
        // A flat design has no "design" totals: its only module's counts are the last ones.
        int design = statJson.LastIndexOf("\"design\"", StringComparison.Ordinal);
        int byType = design >= 0
            ? statJson.IndexOf("\"num_cells_by_type\"", design, StringComparison.Ordinal)
            : statJson.LastIndexOf("\"num_cells_by_type\"", StringComparison.Ordinal);
        int open = byType < 0 ? -1 : statJson.IndexOf('{', byType);
        int close = open < 0 ? -1 : statJson.IndexOf('}', open);
        if (close < 0) throw new LeNetHlsException($"yosys stat: no design cell counts found for top '{top}'");
        var cells = new Dictionary<string, long>();
        using var doc = JsonDocument.Parse(statJson[open..(close + 1)]);
        foreach (var p in doc.RootElement.EnumerateObject())
            cells[p.Name] = p.Value.GetInt64();
        return cells;
    }
}
