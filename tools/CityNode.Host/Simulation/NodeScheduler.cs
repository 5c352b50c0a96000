using System.Diagnostics;

namespace CityNode.Host.Simulation;

/// <summary>
/// Steps nodes in order of their virtual time until each has lived the duration, on a few worker
/// threads: the node furthest behind goes next, so the city's faults (asked of the
/// <see cref="FaultSchedule"/> at each turn) happen at one moment for everyone. With
/// <c>--speed</c>, virtual time is held to that multiple of wall time.
/// </summary>
public static class NodeScheduler
{
    public static Task RunAsync(IReadOnlyList<ISimNode> nodes, long durationMs, int workers, double? speed, Action<ISimNode> onTurn, Action<ISimNode> beforeStep, CancellationToken ct)
    {
        var queue = new PriorityQueue<ISimNode, long>();
        foreach (var n in nodes)
        {
            queue.Enqueue(n, 0);
        }

        var wall = Stopwatch.StartNew();
        object gate = new();
        var tasks = Enumerable.Range(0, Math.Min(workers, nodes.Count)).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!ct.IsCancellationRequested)
            {
                ISimNode? node;
                lock (gate)
                {
                    if (!queue.TryDequeue(out node, out long _))
                    {
                        return;
                    }

                    onTurn(node);
                }

                if (speed is double s)
                {
                    long wait = (long)(node.ElapsedMs / s) - wall.ElapsedMilliseconds;
                    if (wait > 0)
                    {
                        Thread.Sleep((int)Math.Min(wait, 1000));
                    }
                }

                beforeStep(node);
                node.Step();
                if (node.ElapsedMs < durationMs)
                {
                    lock (gate)
                    {
                        queue.Enqueue(node, node.ElapsedMs);
                    }
                }
            }
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        return Task.WhenAll(tasks);
    }
}
