using System.CommandLine;
using LeNetHls.Cli.Commands;

namespace LeNetHls.Cli;

/// <summary>Every lenet-hls subcommand, in the order a user meets them.</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
        DataCommands.Create()
            .Concat(TrainCommands.Create())
            .Concat(EvalCommands.Create())
            .Concat(QuantizeCommands.Create())
            .Concat(ReportCommands.Create())
            .Concat(GoldenCommands.Create())
            .Concat(QatCommands.Create())
            .Concat(HlsCommands.Create())
            .Concat(RtlCommands.Create())
            .Concat(OnnxCommands.Create())
            .Concat(FlowCommands.Create())
            .Concat(RegressCommands.Create());
}
