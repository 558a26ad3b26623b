using System.CommandLine;
using System.CommandLine.Parsing;

namespace LeNetHls.Cli;

/// <summary>
/// The documented range of every numeric option, checked on the parsed command line before any
/// command starts work, so a bad value fails at once instead of after minutes of training or
/// synthesis. One table serves every command, `flow` included (its stages receive these values).
/// </summary>
public static class OptionRanges
{
    /// <summary>More threads than this only adds memory and contention: four per core.</summary>
    public static int MaxThreads => 4 * Environment.ProcessorCount;

    public const int MnistTest = 10_000, MnistTrain = 60_000;

    private sealed record Rule(string Option, string Range, Func<string, bool> Accepts, string[]? Commands = null);

    private static Rule Integer(string option, long min, long max, params string[] commands) =>
        new(option, $"an integer in {min}..{max}", v => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) && n >= min && n <= max,
            commands.Length == 0 ? null : commands);

    private static Rule CountOrAll(string option, int max, params string[] commands) =>
        new(option, $"a count in 1..{max} or 'all'",
            v => v.Equals("all", StringComparison.OrdinalIgnoreCase) ||
                 (int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= max),
            commands);

    private static Rule Real(string option, string range, Func<double, bool> inside) =>
        new(option, range, v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) && inside(d));

    private static IEnumerable<Rule> Rules() =>
    [
        Integer("--threads", 1, MaxThreads),
        Integer("--jobs", 1, MaxThreads),
        // qat --epochs 0 calibrates and exports without fine-tuning (what the search does for its screening).
        Integer("--epochs", 0, 10_000, "qat"),
        Integer("--epochs", 1, 10_000),
        Integer("--final-epochs", 0, 10_000),
        Integer("--batch-size", 1, MnistTrain),
        Integer("--multipliers", 1, 1_000_000),
        Integer("--calib-images", 1, MnistTrain),
        Integer("--test-images", 0, MnistTest),
        Integer("--train-images", 0, MnistTrain),
        Integer("--validation-images", 1, MnistTrain - 1),
        Integer("--candidate-images", 0, MnistTrain),
        Integer("--max-candidates", 1, 100_000),
        Integer("--repeat", 1, 1_000),
        Integer("--shift", 0, 8),
        Integer("--bits", 2, 32),
        Integer("--weight-bits", 1, 32),
        Integer("--act-bits", 2, 32),
        Integer("--score-bits", 2, 32),
        Integer("--start-bits", 2, 32),
        Integer("--tanh-index-bits", 2, 16),
        CountOrAll("--images", MnistTest, "csim", "cosim", "flow", "regress", "emit"),
        Real("--clock-ns", "a period in ns, 0 < T < 1000", d => d is > 0 and < 1000),
        Real("--stall-prob", "a probability in [0, 1)", d => d is >= 0 and < 1),
        Real("--lr", "a learning rate, 0 < lr <= 10", d => d is > 0 and <= 10),
        Real("--percentile", "a percentile, 0 < p <= 100", d => d is > 0 and <= 100),
        Real("--target-accuracy", "an accuracy, 0 < A <= 100 (% or a fraction)", d => d is > 0 and <= 100),
    ];

    /// <summary>Throws a one-line error for the first option given outside its range.</summary>
    public static void Check(ParseResult parse)
    {
        var rules = Rules().ToList();
        for (SymbolResult? result = parse.CommandResult; result is not null; result = result.Parent)
        {
            if (result is not CommandResult command) continue;
            string name = command.Command.Name;
            foreach (var option in command.Children.OfType<OptionResult>())
            {
                if (option.Implicit) continue;
                var rule = rules.FirstOrDefault(r => r.Option == option.Option.Name && (r.Commands is null || r.Commands.Contains(name)));
                if (rule is null) continue;
                foreach (var token in option.Tokens)
                    if (!rule.Accepts(token.Value))
                        throw new LeNetHlsException($"{rule.Option}: '{token.Value}' is outside its range ({rule.Range})");
            }
        }
    }

    /// <summary>The flow's --sweep: comma-separated widths in 2..32, checked before the flow starts.</summary>
    public static void CheckSweep(string sweep)
    {
        foreach (var part in sweep.Split(','))
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int bits) || bits is < 2 or > 32)
                throw new LeNetHlsException($"--sweep: '{part.Trim()}' is not a width in 2..32 (give e.g. 16,8,4)");
    }
}
