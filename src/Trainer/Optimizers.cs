using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LeNetHls.Trainer;

public enum OptimizerKind { Sgd, Adam }

/// <summary>
/// Parameter update rules on flat arrays. Their whole state is State (plus the step count the caller
/// passes), so a checkpoint can store and restore it exactly.
/// </summary>
public abstract class Optimizer
{
    protected Optimizer(int parameterCount, int stateArrays) => State = new float[stateArrays * parameterCount];

    public float[] State { get; }

    /// <summary>Applies one update; step counts from 1. decayMask selects the entries weight decay applies to.</summary>
    public abstract void Step(float[] parameters, float[] gradient, float[] decayMask, float learningRate, long step);

    public static Optimizer Create(OptimizerKind kind, int parameterCount, float momentum, float weightDecay) => kind switch
    {
        OptimizerKind.Sgd => new SgdMomentum(parameterCount, momentum, weightDecay),
        OptimizerKind.Adam => new AdamW(parameterCount, weightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>SGD with heavy-ball momentum (PyTorch form): v ← μ·v + g + λ·w; w ← w − lr·v.</summary>
public sealed class SgdMomentum(int parameterCount, float momentum, float weightDecay) : Optimizer(parameterCount, 1)
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Step(float[] parameters, float[] gradient, float[] decayMask, float learningRate, long step)
    {
        var v = State;
        for (int i = 0; i < parameters.Length; i++)
        {
            float g = gradient[i] + weightDecay * decayMask[i] * parameters[i];
            v[i] = momentum * v[i] + g;
            parameters[i] -= learningRate * v[i];
        }
    }
}

/// <summary>
/// Adam with decoupled weight decay (AdamW): m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
/// w ← w − lr·(m̂ / (√v̂ + ε) + λ·w) with bias-corrected m̂, v̂. State is m then v.
/// </summary>
public sealed class AdamW(int parameterCount, float weightDecay) : Optimizer(parameterCount, 2)
{
    public const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]

    public override void Step(float[] parameters, float[] gradient, float[] decayMask, float learningRate, long step)
    {
        int n = parameters.Length;
        var m = State.AsSpan(0, n);
        var v = State.AsSpan(n, n);
        float c1 = 1f / (1f - MathF.Pow(Beta1, step));
        float c2 = 1f / (1f - MathF.Pow(Beta2, step));
        var vb1 = Vector256.Create(Beta1); var vb1c = Vector256.Create(1f - Beta1);
        var vb2 = Vector256.Create(Beta2); var vb2c = Vector256.Create(1f - Beta2);
        var vc1 = Vector256.Create(c1); var vc2 = Vector256.Create(c2);
        var veps = Vector256.Create(Epsilon); var vlr = Vector256.Create(learningRate); var vwd = Vector256.Create(weightDecay);
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var g = Vector256.Create(gradient.AsSpan(i, 8));
            var w = Vector256.Create(parameters.AsSpan(i, 8));
            var mi = vb1 * Vector256.Create(m.Slice(i, 8)) + vb1c * g;
            var vi = vb2 * Vector256.Create(v.Slice(i, 8)) + vb2c * (g * g);
            mi.CopyTo(m.Slice(i, 8));
            vi.CopyTo(v.Slice(i, 8));
            var update = mi * vc1 / (Vector256.Sqrt(vi * vc2) + veps) + vwd * Vector256.Create(decayMask.AsSpan(i, 8)) * w;
            (w - vlr * update).CopyTo(parameters.AsSpan(i, 8));
        }
        for (; i < n; i++)
        {
            float g = gradient[i];
            m[i] = Beta1 * m[i] + (1f - Beta1) * g;
            v[i] = Beta2 * v[i] + (1f - Beta2) * (g * g);
            float update = m[i] * c1 / (MathF.Sqrt(v[i] * c2) + Epsilon) + weightDecay * decayMask[i] * parameters[i];
            parameters[i] -= learningRate * update;
        }
    }
}

/// <summary>Linear warm-up to the peak rate, then cosine decay to FinalFraction of it at the last step.</summary>
public sealed record LearningRateSchedule(float Peak, long WarmupSteps, long TotalSteps, float FinalFraction = 0.01f)
{
    public float At(long step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        long decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / decaySteps);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return (float)(Peak * (FinalFraction + (1 - FinalFraction) * cosine));
    }
}
