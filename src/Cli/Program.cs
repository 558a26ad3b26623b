using System.CommandLine;
using LeNetHls.Cli;
using LeNetHls.Cli.Commands;
using LeNetHls.Core.IO;

Interrupt.Install();
var root = new RootCommand("lenet-hls: LeNet-5 from MNIST training to a bit-exact verified FPGA accelerator");
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
foreach (var command in OnnxCommands.Create()) root.Subcommands.Add(command);

try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (LeNetHlsException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("error: interrupted");
    return 130;
}
catch (Exception e) when (Environment.GetEnvironmentVariable("LENET_DEBUG") is null)
{
    // Anything else is a bug in lenet-hls, still reported on one line; LENET_DEBUG=1 shows the stack.
    Console.Error.WriteLine($"error: internal {e.GetType().Name}: {e.Message.Split('\n')[0]} (set LENET_DEBUG=1 for details)");
    return 70;
}
