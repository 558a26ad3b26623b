using System.CommandLine;
using LeNetHls.Cli;

Interrupt.Install();
var root = new RootCommand("lenet-hls: LeNet-5 from MNIST training to a bit-exact verified FPGA accelerator");
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);

try
{
    var parse = root.Parse(args);
    if (parse.Errors.Count > 0)
    {
        string command = parse.CommandResult.Command == root ? "" : parse.CommandResult.Command.Name + " ";
        Console.Error.WriteLine($"error: {OneLine(parse.Errors[0].Message)} (see lenet-hls {command}--help)");
        return 2;
    }
    OptionRanges.Check(parse);
    int exit = parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    // A command that ran to its end after Ctrl-C put nothing new in place (Stopping), so it did not succeed.
    return Interrupt.Requested && exit == 0 ? Interrupt.ExitCode : exit;
}
catch (Exception e)
{
    return Report(Unwrap(e));
}
finally
{
    // However the command ended after Ctrl-C, no tool it started (g++, make, Verilator, yosys) outlives it.
    if (Interrupt.Requested) Interrupt.KillChildren();
}

// Parallel work (Parallel.For, tasks) wraps what its workers threw; the first real cause is what the user needs.
static Exception Unwrap(Exception e) => e switch
{
    AggregateException { InnerExceptions.Count: > 0 } a =>
        Unwrap(a.InnerExceptions.FirstOrDefault(i => i is not OperationCanceledException) ?? a.InnerExceptions[0]),
    System.Reflection.TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
    _ => e,
};

static int Report(Exception e)
{
    switch (e)
    {
        case LeNetHlsException:
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return 1;
        case OperationCanceledException:
            bool generic = e.Message == new OperationCanceledException().Message || e.Message.Length == 0;
            Console.Error.WriteLine($"error: {(generic ? "interrupted; results on disk are unchanged" : OneLine(e.Message))}");
            return Interrupt.ExitCode;
        case IOException or UnauthorizedAccessException:
            // The operating system's message names the path ("Access to the path '/x' is denied.").
            Console.Error.WriteLine($"error: {OneLine(FileErrors.Describe(e))}");
            return 1;
        case OutOfMemoryException:
            Console.Error.WriteLine("error: out of memory (try fewer --threads, --jobs or images)");
            return 1;
        default:
            // Anything else is a bug in lenet-hls, still reported on one line; LENET_DEBUG=1 shows the stack.
            if (Environment.GetEnvironmentVariable("LENET_DEBUG") is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();
            Console.Error.WriteLine($"error: internal {e.GetType().Name}: {OneLine(e.Message)} (set LENET_DEBUG=1 for details)");
            return 70;
    }
}

static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
