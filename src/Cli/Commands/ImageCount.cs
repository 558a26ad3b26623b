namespace LeNetHls.Cli.Commands;

/// <summary>The --images option of csim and cosim: a positive count, or "all" (null).</summary>
internal static class ImageCount
{
    public static int? Parse(string value)
    {
        if (value.Equals("all", StringComparison.OrdinalIgnoreCase)) return null;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0) return n;
        throw new LeNetHlsException($"--images: '{value}' is neither a positive count nor 'all'");
    }
}
