using System.CommandLine;
using LeNetHls.Cli.Commands;

namespace LeNetHls.Cli;

public static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
        DataCommands.Create();
}
