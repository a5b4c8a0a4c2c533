namespace Imail.Worker.Relay;

/// <summary>
/// Wakes the relay loops of this process, <b>one per signal</b>: the NOTIFY listener signals once per
/// notification, and a loop whose claim came back full signals once more (<see cref="OutboxRelay"/>), so one
/// message wakes one loop and a backlog wakes them all, one after the other — as many as there is work for.
/// A signal that finds no loop waiting is kept (one at most) for the next loop about to sleep: a notification
/// arriving while every loop is busy makes one of them look again instead of being lost.
/// </summary>
public sealed class RelayWakeUp
{
    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource> _waiting = [];
    private bool _pending;
    private long _signals;

    /// <summary>Signals received since the start (diagnostics).</summary>
    public long Signals
    {
        get
        {
            lock (_gate) return _signals;
        }
    }

    /// <summary>Loops asleep now, waiting for a signal or their timeout.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate) return _waiting.Count;
        }
    }

    /// <summary>Wakes the loop that has waited longest; with none waiting, the next one to wait returns at once.</summary>
    public void Signal()
    {
        lock (_gate)
        {
            // Counted under the gate: whoever sees the count also sees the loop it woke gone from the queue.
            _signals++;
            if (_waiting.First is { } first)
            {
                _waiting.RemoveFirst();
                first.Value.TrySetResult();
                return;
            }
            _pending = true;
        }
    }

    /// <summary>Returns at a signal (one kept from while no loop waited included), or when <paramref name="timeout"/> has passed on <paramref name="clock"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        if (timeout <= TimeSpan.Zero) return;
        LinkedListNode<TaskCompletionSource> node;
        lock (_gate)
        {
            if (_pending)
            {
                _pending = false;
                return;
            }
            node = _waiting.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        try
        {
            await node.Value.Task.WaitAsync(timeout, clock, ct);
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            // Timed out or stopped: a later signal goes to a loop still waiting.
            lock (_gate)
            {
                if (node.List is not null) _waiting.Remove(node);
            }
        }
    }
}
