namespace LeNetHls.Quantizer.Search;

/// <summary>
/// The cost the mixed-precision search minimizes (docs/qat.md):
/// <list type="bullet">
/// <item>ROM bits: every stored parameter at its width, Σ (connected weights · W_w + biases · W_b);</item>
/// <item>multiplier bit-products: Σ over conv/dense layers of (output channels · W_w · W_x), one
/// W_w × W_x multiplier per output channel, the size of a layer's parallel MAC array.</item>
/// </list>
/// Total = ROM bits + multiplier bit-products, both counted in bits.
/// </summary>
public sealed record HardwareCost(long RomBits, long WeightRomBits, long MultiplierBitProducts)
{
    public long Total => RomBits + MultiplierBitProducts;

    public static HardwareCost Of(QModel model)
    {
        long rom = 0, weightRom = 0, products = 0;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var l = model.Layers[i];
            if (!l.HasWeights) continue;
            long weights = ConnectedWeights(l);
            weightRom += weights * l.Weights!.Bits;
            rom += weights * l.Weights.Bits + (long)l.Bias!.Data.Length * l.Bias.Bits;
            products += (long)l.OutShape.C * l.Weights.Bits * model.InputOf(i).Bits;
        }
        return new HardwareCost(rom, weightRom, products);
    }

    /// <summary>Weights that are stored: pairs cut by a connection table are skipped by the generators.</summary>
    public static long ConnectedWeights(QLayer l)
    {
        if (l.Connections is null) return l.Weights!.Data.Length;
        long taps = (long)l.Kernel * l.Kernel;
        return taps * l.Connections.Sum(c => (long)c.Length);
    }
}
