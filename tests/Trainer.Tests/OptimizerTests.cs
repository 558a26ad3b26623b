namespace LeNetHls.Trainer.Tests;

public sealed class OptimizerTests
{
    private static readonly float[] AllDecay = [1f, 1f];

    [Fact]
    public void Sgd_momentum_accumulates_velocity_over_two_steps()
    {
        var sgd = new SgdMomentum(2, momentum: 0.9f, weightDecay: 0f);
        float[] w = [1f, -2f];
        sgd.Step(w, [0.5f, 1f], AllDecay, learningRate: 0.1f, step: 1);
        Assert.Equal([0.95f, -2.1f], w);
        sgd.Step(w, [0.5f, 1f], AllDecay, learningRate: 0.1f, step: 2);
        // v = 0.9·0.5 + 0.5 = 0.95 and 0.9·1 + 1 = 1.9
        Assert.Equal(0.95f - 0.095f, w[0], 6);
        Assert.Equal(-2.1f - 0.19f, w[1], 6);
    }

    [Fact]
    public void Sgd_weight_decay_skips_entries_outside_the_decay_mask()
    {
        var sgd = new SgdMomentum(2, momentum: 0f, weightDecay: 0.5f);
        float[] w = [2f, 2f];
        sgd.Step(w, [0f, 0f], [1f, 0f], learningRate: 0.1f, step: 1);
        Assert.Equal([1.9f, 2f], w);
    }

    [Fact]
    public void Adam_first_step_moves_each_weight_by_the_learning_rate_against_its_gradient_sign()
    {
        var adam = new AdamW(2, weightDecay: 0f);
        float[] w = [1f, 1f];
        adam.Step(w, [3f, -0.001f], AllDecay, learningRate: 0.01f, step: 1);
        Assert.Equal(0.99f, w[0], 5);
        Assert.Equal(1.01f, w[1], 5);
    }

    [Fact]
    public void Adam_second_step_uses_bias_corrected_moments()
    {
        var adam = new AdamW(1, weightDecay: 0f);
        float[] w = [0f];
        adam.Step(w, [1f], [1f], 0.1f, 1);
        adam.Step(w, [3f], [1f], 0.1f, 2);
        double m = 0.1 * 0.9 + 0.1 * 3, v = 0.001 * 0.999 + 0.001 * 9;
        double mHat = m / (1 - 0.81), vHat = v / (1 - 0.999 * 0.999);
        Assert.Equal(-0.1 - 0.1 * mHat / Math.Sqrt(vHat), w[0], 5);
    }

    [Fact]
    public void AdamW_decays_weights_independently_of_the_gradient_scale()
    {
        var adam = new AdamW(1, weightDecay: 0.1f);
        float[] w = [2f];
        adam.Step(w, [0f], [1f], learningRate: 0.5f, step: 1);
        Assert.Equal(2f - 0.5f * 0.1f * 2f, w[0], 6);
    }

    [Fact]
    public void Adam_vector_and_scalar_paths_give_the_same_update()
    {
        // 11 entries: 8 go through the vector loop, 3 through the scalar tail, all with equal inputs.
        var adam = new AdamW(11, weightDecay: 0.01f);
        var w = Enumerable.Repeat(0.7f, 11).ToArray();
        adam.Step(w, Enumerable.Repeat(0.25f, 11).ToArray(), Enumerable.Repeat(1f, 11).ToArray(), 0.003f, 1);
        adam.Step(w, Enumerable.Repeat(-0.5f, 11).ToArray(), Enumerable.Repeat(1f, 11).ToArray(), 0.003f, 2);
        Assert.All(w, v => Assert.Equal(w[0], v, 6));
    }

    [Fact]
    public void Schedule_warms_up_linearly_then_decays_by_cosine_to_the_final_fraction()
    {
        var s = new LearningRateSchedule(Peak: 1f, WarmupSteps: 10, TotalSteps: 110, FinalFraction: 0.01f);
        Assert.Equal(0.1f, s.At(0), 6);
        Assert.Equal(1f, s.At(9), 6);
        Assert.Equal(1f, s.At(10), 6);
        Assert.Equal(0.505f, s.At(60), 5);
        Assert.Equal(0.01f, s.At(110), 6);
    }
}
