using System.Numerics;

namespace LeNetHls.Core.FixedPoint;

/// <summary>
/// The names each implementation gives the qmodel's rounding and overflow modes (docs/fixed-point.md §4).
/// Every generator and report spells a mode through here, so the mapping exists once and tests pin it.
/// </summary>
public static class ModeNames
{
    /// <summary>The qmodel's and the command line's name: rnd, trn, rnd_conv.</summary>
    public static string QModelName(RoundingMode mode) => mode switch
    {
        RoundingMode.Rnd => "rnd", RoundingMode.Trn => "trn", RoundingMode.RndConv => "rnd_conv",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>The qmodel's and the command line's name: sat, wrap.</summary>
    public static string QModelName(OverflowMode mode) => mode switch
    {
        OverflowMode.Sat => "sat", OverflowMode.Wrap => "wrap",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>The Vitis ap_fixed quantization mode with the same rule: AP_RND, AP_TRN, AP_RND_CONV.</summary>
    public static string VitisName(RoundingMode mode) => mode switch
    {
        RoundingMode.Rnd => "AP_RND", RoundingMode.Trn => "AP_TRN", RoundingMode.RndConv => "AP_RND_CONV",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>The Vitis ap_fixed overflow mode with the same rule: AP_SAT, AP_WRAP.</summary>
    public static string VitisName(OverflowMode mode) => mode switch
    {
        OverflowMode.Sat => "AP_SAT", OverflowMode.Wrap => "AP_WRAP",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>The enumerator of nnet::rounding_mode (hls/nnet/nnet_requant.h).</summary>
    public static string KernelName(RoundingMode mode) => mode switch
    {
        RoundingMode.Rnd => "ROUND_HALF_UP", RoundingMode.Trn => "TRUNCATE", RoundingMode.RndConv => "ROUND_HALF_EVEN",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>The enumerator of nnet::overflow_mode (hls/nnet/nnet_requant.h).</summary>
    public static string KernelName(OverflowMode mode) => mode switch
    {
        OverflowMode.Sat => "SATURATE", OverflowMode.Wrap => "WRAP",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };
}

/// <summary>Widths the implementations derive from a layer's formats (docs/fixed-point.md §1, §3).</summary>
public static class DerivedWidths
{
    /// <summary>
    /// The signed width of a MAC product: W_w plus the input's arithmetic width, W_x for a signed input
    /// and W_x + 1 for an unsigned ufx&lt;W_x,F&gt;, which enters as a zero-extended signed operand; the raw
    /// pixel is read as fx&lt;9,0&gt;. A bipolar product ±x needs W_x + 1 bits, for a signed x
    /// (−(−2^(W_x−1)) = 2^(W_x−1)) and an unsigned one (−(2^W_x − 1)) alike. Capped at 64.
    /// </summary>
    public static int ProductBits(QActivation input, int weightBits) => Math.Min(64, weightBits == FixedPointMath.BipolarBits
        ? input.Bits + 1
        : input.ArithmeticBits + weightBits);

    /// <summary>
    /// The accumulator width of a layer with an accumulator: the qmodel's, except that an avgpool window
    /// sum never gets fewer than W_in + log2(k²) bits (arithmetic W_in), the sum of k² inputs.
    /// </summary>
    public static int AccumulatorBits(QLayer layer, QActivation input)
    {
        var accumulator = layer.Accumulator ?? throw new ArgumentException($"layer {layer.Name} has no accumulator", nameof(layer));
        return layer.Kind == QLayerKind.AvgPool
            ? Math.Max(accumulator.Bits, input.ArithmeticBits + BitOperations.Log2((uint)(layer.Kernel * layer.Kernel)))
            : accumulator.Bits;
    }
}
