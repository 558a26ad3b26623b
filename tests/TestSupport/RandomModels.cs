namespace LeNetHls.TestSupport;

/// <summary>Untrained float models saved as .modelstruct/.bin, for tests of commands and files that only need a valid model.</summary>
public static class RandomModels
{
    /// <summary>Saves a seeded random model of the preset as DIR/PRESET (a fresh temp folder unless given); returns that base path.</summary>
    public static string Save(string preset = "lenet5", int seed = 1, string? dir = null)
    {
        string basePath = Path.Combine(dir ?? RepoPaths.NewTempDir(), preset);
        ModelFile.Save(FloatModel.CreateRandom(Presets.Get(preset), seed), basePath);
        return basePath;
    }
}
