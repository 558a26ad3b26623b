using LeNetHls.RtlCodegen;

namespace LeNetHls.RtlCodegen.Tests;

/// <summary>How the modules to synthesize are shared out over the yosys processes (no yosys needed).</summary>
public class SynthScheduleTests
{
    private sealed record Item(string Name, double Cost, bool Alone = false);

    private static List<List<List<Item>>> Plan(int jobs, params Item[] items) =>
        SynthSchedule.Plan(items, i => i.Cost, i => i.Alone, jobs);

    private static double LaneCost(List<List<Item>> lane) =>
        lane.Sum(batch => SynthSchedule.ProcessCost + batch.Sum(i => i.Cost));

    [Fact]
    public void A_module_a_hundred_times_longer_is_estimated_at_far_less_than_a_hundred_times_the_cost()
    {
        double small = SynthSchedule.EstimatedCost(80_000), large = SynthSchedule.EstimatedCost(8_000_000);
        Assert.True(large > small);
        Assert.True(large < 5 * small, $"{large} vs {small}");
    }

    [Fact]
    public void Every_item_is_planned_exactly_once()
    {
        var items = Enumerable.Range(0, 9).Select(i => new Item($"m{i}", i % 4 + 0.5)).Append(new Item("top", 1, Alone: true)).ToArray();
        var planned = Plan(2, items).SelectMany(lane => lane).SelectMany(batch => batch).ToList();
        Assert.Equal(items.OrderBy(i => i.Name), planned.OrderBy(i => i.Name));
    }

    [Fact]
    public void An_item_that_must_go_alone_gets_a_batch_of_its_own()
    {
        var top = new Item("top", 0.5, Alone: true);
        var lanes = Plan(2, new Item("a", 3), new Item("b", 2), top, new Item("c", 1));
        Assert.Contains(lanes.SelectMany(lane => lane), batch => batch.Count == 1 && batch[0] == top);
    }

    [Fact]
    public void Each_job_gets_one_lane_with_one_shared_batch()
    {
        var lanes = Plan(2, new Item("a", 3), new Item("b", 2), new Item("c", 2), new Item("d", 1), new Item("e", 1));
        Assert.Equal(2, lanes.Count);
        Assert.All(lanes, lane => Assert.Single(lane));
    }

    [Fact]
    public void There_are_no_more_lanes_than_items()
    {
        var lanes = Plan(4, new Item("a", 3), new Item("b", 2));
        Assert.Equal(2, lanes.Count);
    }

    [Fact]
    public void Lanes_differ_in_estimated_cost_by_no_more_than_the_costliest_item()
    {
        var items = new[] { 6.9, 6.9, 6.8, 6.2, 6.1, 5.7, 5.7, 5.6, 3.9, 3.9, 2.8, 2.5, 1.5, 1.5, 1.2, 0.7, 0.5, 0.3, 0.2, 0.1 }
                    .Select((c, i) => new Item($"m{i}", c)).Append(new Item("top", 1.4, Alone: true)).ToArray();
        var costs = Plan(2, items).Select(LaneCost).ToList();
        Assert.True(costs.Max() - costs.Min() <= 6.9, string.Join(", ", costs));
    }

    [Fact]
    public void A_failed_batch_stops_the_batches_after_it_in_its_lane()
    {
        var lanes = new List<List<List<string>>> { new() { new() { "fails" }, new() { "after" } } };
        var ran = new List<string>();
        Assert.Throws<AggregateException>(() => SynthSchedule.Run(lanes, (batch, _) =>
        {
            lock (ran) ran.Add(batch[0]);
            if (batch[0] == "fails") throw new InvalidOperationException("yosys failed");
        }));
        Assert.Equal(["fails"], ran);
    }

    [Fact]
    public void Lanes_run_side_by_side()
    {
        var lanes = new List<List<List<int>>> { new() { new() { 0 } }, new() { new() { 1 } } };
        using var bothStarted = new CountdownEvent(2);
        bool together = true;
        SynthSchedule.Run(lanes, (_, _) =>
        {
            bothStarted.Signal();
            // A generous hang guard, not a time bound: the other lane only has to start.
            if (!bothStarted.Wait(TimeSpan.FromSeconds(60))) together = false;
        });
        Assert.True(together);
    }

    [Fact]
    public void Batch_numbers_are_unique_over_all_lanes()
    {
        var lanes = new List<List<List<int>>> { new() { new() { 0 }, new() { 1 } }, new() { new() { 2 } } };
        var numbers = new List<int>();
        SynthSchedule.Run(lanes, (_, index) => { lock (numbers) numbers.Add(index); });
        Assert.Equal([0, 1, 2], numbers.Order());
    }
}
