namespace CityNode.NanoTwin.Clr;

/// <summary>System.Threading.Thread as the program uses it: Sleep idles the CLR on the board's virtual time.</summary>
// upstream: nanoframework/CoreLibrary nanoFramework.CoreLibrary/System/Threading/Thread.cs (Sleep is native:
// nf-interpreter src/CLR/CorLib/corlib_native_System_Threading_Thread.cpp puts the thread to sleep, the CPU stays clocked).
public static class Thread
{
    public static void Sleep(int millisecondsTimeout)
    {
        var board = TwinBoard.Current;
        if (millisecondsTimeout == System.Threading.Timeout.Infinite)
        {
            board.SleepForever(); // awake, doing nothing, until something resets the chip
        }

        board.Idle(millisecondsTimeout);
    }

    public static void Sleep(TimeSpan timeout) => Sleep((int)timeout.TotalMilliseconds);
}

/// <summary>
/// System.Threading.CancellationTokenSource (nanoFramework.System.Threading): a timeout is a deadline
/// on the board's clock, so twin waits that poll the token end at the virtual time the device's would.
/// </summary>
// upstream: nanoframework/System.Threading System.Threading/CancellationTokenSource.cs (CancelAfter starts a Timer).
public sealed class CancellationTokenSource : IDisposable
{
    private readonly TwinBoard _board;
    private long _deadline = long.MaxValue;
    private bool _cancelled;

    public CancellationTokenSource()
    {
        _board = TwinBoard.Current;
        _board.EnsureRunning();
    }

    public CancellationTokenSource(int millisecondsDelay)
        : this() => CancelAfter(millisecondsDelay);

    public CancellationTokenSource(TimeSpan delay)
        : this((int)delay.TotalMilliseconds)
    {
    }

    public bool IsCancellationRequested => _cancelled || _board.Time.NowMs >= _deadline;

    public CancellationToken Token => new(this);

    /// <summary>Live sources with a pending timer (the device keeps a Timer per undisposed timeout).</summary>
    public bool Disposed { get; private set; }

    public void Cancel() => _cancelled = true;

    public void CancelAfter(int millisecondsDelay) => _deadline = millisecondsDelay < 0 ? long.MaxValue : _board.Time.NowMs + millisecondsDelay;

    public void Dispose() => Disposed = true;
}

/// <summary>System.Threading.CancellationToken over the twin's source; <c>default</c> never cancels.</summary>
public readonly struct CancellationToken
{
    private readonly CancellationTokenSource? _source;

    internal CancellationToken(CancellationTokenSource source) => _source = source;

    public static CancellationToken None => default;

    public bool IsCancellationRequested => _source?.IsCancellationRequested ?? false;

    public bool CanBeCanceled => _source is not null;
}
