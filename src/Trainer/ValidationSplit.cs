namespace LeNetHls.Trainer;

/// <summary>
/// The evaluation protocol every command follows: models and settings are chosen on the last
/// <see cref="DefaultImages"/> training images (the validation split), which training never sees; the
/// test set is read once, to report the final model. The mixed-precision search uses the same split.
/// </summary>
public static class ValidationSplit
{
    /// <summary>The last 5,000 of MNIST's 60,000 training images.</summary>
    public const int DefaultImages = 5000;

    /// <summary>
    /// Splits the training images into the images to train on (the head) and the validation images (the
    /// last <paramref name="validationImages"/>; 0 gives an empty validation set).
    /// </summary>
    public static (MnistSet Train, MnistSet Validation) Of(MnistSet all, int validationImages)
    {
        if (validationImages < 0)
            throw new LeNetHlsException($"--val-images must not be negative (got {validationImages})");
        if (validationImages >= all.Count)
            throw new LeNetHlsException($"--val-images {validationImages} leaves no training images (there are {all.Count}); use a smaller --val-images, or 0 to turn validation off");
        int head = all.Count - validationImages, pixels = all.PixelsPerImage;
        return (new MnistSet(all.Images[..(head * pixels)], all.Labels[..head], all.Rows, all.Cols),
                new MnistSet(all.Images[(head * pixels)..], all.Labels[head..], all.Rows, all.Cols));
    }
}
