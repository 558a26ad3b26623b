using LeNetHls.Trainer;
using Spectre.Console;

namespace LeNetHls.Cli.Commands;

/// <summary>`eval MODEL`: test accuracy and confusion matrix of a float model.</summary>
public static class EvalCommands
{
    public static IEnumerable<Command> Create() => [Eval()];

    private static Command Eval()
    {
        var model = new Argument<string>("model") { Description = "Float model: PATH.modelstruct, PATH.bin or PATH" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var threads = new Option<int>("--threads") { Description = "Worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("eval", "Test accuracy and confusion matrix of a float model on MNIST") { model, data, threads };
        command.SetAction(r =>
        {
            if (r.GetValue(threads) < 1) throw new LeNetHlsException($"--threads must be at least 1 (got {r.GetValue(threads)})");
            var floatModel = ModelFile.Load(r.GetValue(model)!);
            var test = Mnist.Load(r.GetValue(data)!, MnistSplit.Test);
            var result = new FloatInference(floatModel, r.GetValue(threads)).Evaluate(test);
            PrintConfusion(result);
            AnsiConsole.MarkupLine($"{Markup.Escape(floatModel.Spec.Name)}: test accuracy [bold]{F(result.Accuracy, "P2")}[/] ({result.Correct}/{result.Count})");
            return 0;
        });
        return command;
    }

    private static void PrintConfusion(EvalResult result)
    {
        int classes = result.Confusion.GetLength(0);
        var table = new Table().Title("confusion matrix (rows: true label, columns: predicted)");
        table.AddColumn(new TableColumn("true").RightAligned());
        for (int c = 0; c < classes; c++) table.AddColumn(new TableColumn(c.ToString(CultureInfo.InvariantCulture)).RightAligned());
        table.AddColumn(new TableColumn("recall %").RightAligned());
        for (int t = 0; t < classes; t++)
        {
            int total = 0;
            var cells = new List<string> { t.ToString(CultureInfo.InvariantCulture) };
            for (int p = 0; p < classes; p++)
            {
                int v = result.Confusion[t, p];
                total += v;
                cells.Add(p == t ? $"[green]{v}[/]" : v == 0 ? "[grey]0[/]" : $"[red]{v}[/]");
            }
            cells.Add(total == 0 ? "-" : F(100.0 * result.Confusion[t, t] / total, "F1"));
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
    }

    private static string F(double v, string format = "G4") => v.ToString(format, CultureInfo.InvariantCulture);
}
