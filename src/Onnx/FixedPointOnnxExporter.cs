using LeNetHls.Onnx.Proto;
using DataType = LeNetHls.Onnx.Proto.TensorProto.Types.DataType;

namespace LeNetHls.Onnx;

/// <summary>
/// The qmodel as an ONNX graph that computes exactly the integer arithmetic of docs/fixed-point.md, in
/// float containers holding integers (the QONNX style): integer weights, Conv or Gemm with the integer
/// bias, multiply by 2^−s, round (rnd: Floor(x + 0.5); trn: Floor; rnd_conv: Round, which is half to
/// even), Clip or wrap, tanh as a Gather on the table. The input is the raw uint8 pixel, the output the
/// int32 scores. Exact by construction: float32 holds every integer below 2^24 exactly and scaling by a
/// power of two is exact, so the export refuses any layer whose integers (partial sums included) can
/// reach 2^24. See docs/fixed-point.md §9.
/// </summary>
public static class FixedPointOnnxExporter
{
    public const string InputName = "pixels";
    public const string OutputName = "scores";
    /// <summary>float32 has a 24-bit significand: every integer of magnitude below 2^24 is exact.</summary>
    public const long ExactLimit = 1L << 24;

    public static ModelProto Export(QModel m)
    {
        CheckExact(m);
        var g = new GraphBuilder(m.Name);
        var shape = m.InputShape;
        g.Input(InputName, DataType.Uint8, shape.C, shape.H, shape.W);
        string x = g.Node("Cast", "pixels_float", [InputName], GraphBuilder.Int("to", (long)DataType.Float));
        bool flat = false;
        foreach (var l in m.Layers)
        {
            switch (l.Kind)
            {
                case QLayerKind.Conv2D:
                {
                    var w = OnnxLayout.ConvWeights(Floats(l.Weights!.Data), l.Kernel, l.InShape.C, l.OutShape.C);
                    string wName = g.Floats(l.Name + "_Wq", w, l.OutShape.C, l.InShape.C, l.Kernel, l.Kernel);
                    string bName = g.Floats(l.Name + "_Bq", Floats(l.Bias!.Data), l.OutShape.C);
                    var attributes = new[]
                    {
                        GraphBuilder.Ints("kernel_shape", l.Kernel, l.Kernel), GraphBuilder.Ints("strides", l.Stride, l.Stride),
                        GraphBuilder.Ints("pads", l.Pad, l.Pad, l.Pad, l.Pad),
                    };
                    string acc = g.Node("Conv", l.Name + "_acc", [x, wName, bName], attributes);
                    x = Finish(g, m, l, acc);
                    break;
                }
                case QLayerKind.Dense:
                {
                    if (!flat) { x = g.Node("Flatten", l.Name + "_flatten", [x], GraphBuilder.Int("axis", 1)); flat = true; }
                    int inF = l.InShape.Size, outF = l.OutShape.C;
                    var rows = OnnxLayout.DenseRowsChw(Floats(l.Weights!.Data), l.InShape, outF);
                    string wName = g.Floats(l.Name + "_Wq", rows, inF, outF);
                    string bName = g.Floats(l.Name + "_Bq", Floats(l.Bias!.Data), outF);
                    string acc = g.Node("Gemm", l.Name + "_acc", [x, wName, bName]);
                    x = Finish(g, m, l, acc);
                    break;
                }
                case QLayerKind.MaxPool:
                    x = g.Node("MaxPool", l.Name, [x], OnnxLayout.PoolAttributes(l.Kernel, l.Stride));
                    break;
                case QLayerKind.AvgPool:
                {
                    // AveragePool gives sum · 2^−L (L = log2 k², exact); §6 wants the sum shifted by s.
                    int log2Area = (int)Math.Log2(l.Kernel * l.Kernel);
                    string mean = g.Node("AveragePool", l.Name + "_mean", [x], OnnxLayout.PoolAttributes(l.Kernel, l.Stride));
                    int s = l.Accumulator!.Frac - l.Output.Frac;
                    string scaled = log2Area == s ? mean : g.Node("Mul", l.Name + "_scaled", [mean, g.Scalar(l.Name + "_scale", Math.Pow(2, log2Area - s))]);
                    string t = Round(g, l.Name, scaled, s, m.Rounding);
                    x = Overflow(g, l.Name, t, l.Output.Bits, m.Overflow, relu: false);
                    break;
                }
            }
        }
        if (!flat) x = g.Node("Flatten", "scores_flatten", [x], GraphBuilder.Int("axis", 1));
        x = g.Node("Cast", OutputName, [x], GraphBuilder.Int("to", (long)DataType.Int32));
        g.Output(x, DataType.Int32, m.Classes);
        return GraphBuilder.Model(g.Graph,
            $"lenet-hls fixed-point model '{m.Name}': raw uint8 pixels in, the golden model's int32 scores out " +
            $"(rounding {m.Rounding}, overflow {m.Overflow}; docs/fixed-point.md)");
    }

    /// <summary>§4 and §5 on a conv/dense accumulator.</summary>
    private static string Finish(GraphBuilder g, QModel m, QLayer l, string acc)
    {
        int s = l.Shift;
        string scaled = s == 0 ? acc : g.Node("Mul", l.Name + "_scaled", [acc, g.Scalar(l.Name + "_scale", Math.Pow(2, -s))]);
        string t = Round(g, l.Name, scaled, s, m.Rounding);
        if (l.Activation == Activation.Tanh)
        {
            var table = l.Tanh!;
            long half = 1L << (table.IndexBits - 1);
            // §5: the index always saturates, whatever the overflow mode.
            string idx = g.Node("Clip", l.Name + "_index", [t, g.Scalar(l.Name + "_index_min", -half), g.Scalar(l.Name + "_index_max", half - 1)]);
            string offset = g.Node("Add", l.Name + "_row", [idx, g.Scalar(l.Name + "_half", half)]);
            string row = g.Node("Cast", l.Name + "_row_int", [offset], GraphBuilder.Int("to", (long)DataType.Int64));
            string tableName = g.Floats(l.Name + "_tanh_table", Floats(table.Table), table.Table.Length);
            return g.Node("Gather", l.Name, [tableName, row], GraphBuilder.Int("axis", 0));
        }
        return Overflow(g, l.Name, t, l.Output.ArithmeticBits, m.Overflow, l.Activation == Activation.ReLU);
    }

    /// <summary>§4.1: x = acc · 2^−s is exact; rounding it to an integer as the mode says (s ≤ 0: already an integer).</summary>
    private static string Round(GraphBuilder g, string layer, string x, int s, RoundingMode mode)
    {
        if (s <= 0) return x;
        return mode switch
        {
            RoundingMode.Rnd => g.Node("Floor", layer + "_rounded", [g.Node("Add", layer + "_plus_half", [x, g.Scalar(layer + "_half_lsb", 0.5)])]),
            RoundingMode.Trn => g.Node("Floor", layer + "_rounded", [x]),
            // ONNX Round is round half to even, which is AP_RND_CONV.
            _ => g.Node("Round", layer + "_rounded", [x]),
        };
    }

    /// <summary>§4.3 and the fused ReLU of §5 on the integer t, for a signed width of bits.</summary>
    private static string Overflow(GraphBuilder g, string layer, string t, int bits, OverflowMode mode, bool relu)
    {
        long min = FixedPointMath.MinOf(bits), max = FixedPointMath.MaxOf(bits);
        if (mode == OverflowMode.Sat)
            // max(0, clamp(t, min, max)) = clamp(t, 0, max).
            return g.Node("Clip", layer, [t, g.Scalar(layer + "_min", relu ? 0 : min), g.Scalar(layer + "_max", max)]);
        // Wrap: u = t + 2^(W−1); q = u − 2^W · Floor(u · 2^−W) − 2^(W−1), the low W bits sign-extended.
        string u = g.Node("Add", layer + "_wrap_u", [t, g.Scalar(layer + "_wrap_half", -min)]);
        string wraps = g.Node("Floor", layer + "_wrap_count", [g.Node("Mul", layer + "_wrap_scaled", [u, g.Scalar(layer + "_wrap_inv", Math.Pow(2, -bits))])]);
        string low = g.Node("Sub", layer + "_wrap_low", [u, g.Node("Mul", layer + "_wrap_span", [wraps, g.Scalar(layer + "_wrap_size", Math.Pow(2, bits))])]);
        string q = g.Node("Sub", relu ? layer + "_wrapped" : layer, [low, g.Scalar(layer + "_wrap_half2", -min)]);
        return relu ? g.Node("Relu", layer, [q]) : q;
    }

    /// <summary>
    /// Refuses a qmodel whose integers can reach 2^24 anywhere in the graph: the accumulator (every
    /// partial sum is bounded by §3's bound), the accumulator plus the rounding half, a left shift, the wrap.
    /// </summary>
    public static void CheckExact(QModel m)
    {
        for (int i = 0; i < m.Layers.Count; i++)
        {
            var l = m.Layers[i];
            var input = m.InputOf(i);
            long bound;
            int s;
            int outBits;
            if (l.HasWeights)
            {
                long largest = Math.Max(l.Weights!.Data.Max(v => Math.Abs((long)v)), l.Bias!.Data.Max(v => Math.Abs((long)v)));
                bound = Math.Max(QModelFile.AccumulatorBound(l, input), largest);
                s = l.Shift;
                outBits = l.Activation == Activation.Tanh ? l.Tanh!.IndexBits : l.Output.ArithmeticBits;
            }
            else if (l.Kind == QLayerKind.AvgPool)
            {
                bound = (long)l.Kernel * l.Kernel * input.MaxAbs;
                s = l.Accumulator!.Frac - l.Output.Frac;
                outBits = l.Output.Bits;
            }
            else continue;
            long need = bound;
            if (s > 0 && m.Rounding == RoundingMode.Rnd) need = bound + (1L << (s - 1));
            if (s < 0) need = s < -40 ? long.MaxValue : bound << -s;
            long shifted = s > 0 ? (bound >> s) + 1 : need;
            if (m.Overflow == OverflowMode.Wrap && l.Activation != Activation.Tanh) need = Math.Max(need, shifted + (1L << outBits));
            if (need >= ExactLimit)
            {
                int bits = need == long.MaxValue ? 64 : FixedPointMath.SignedBitsFor(need);
                throw new LeNetHlsException(
                    $"layer {l.Name}: the fixed-point ONNX graph needs {bits}-bit integers (|value| up to {need:N0}; accumulator {l.Accumulator}), " +
                    "but float32 holds integers exactly only below 2^24 (25 bits signed), so the export would not be bit-exact");
            }
        }
    }

    private static float[] Floats(int[] values) => values.Select(v => (float)v).ToArray();
}
