using System.Threading;

namespace CityNode.Hal
{
    /// <summary>Told how long a wait lasted that ended without its event.</summary>
    public delegate void WaitedHandler(int milliseconds);

    /// <summary>
    /// The node's blocking waits for an MQTT client's events (a PUBACK, a SUBACK, a retained message). On
    /// the chip a wait that times out is simply time gone by. A platform whose clock is not the wall's —
    /// the host's nanoFramework twin, on virtual time — is told how long the node waited in vain, so its
    /// clock moves as the chip's would (else a loop that waits for a message that never comes, within a
    /// deadline on the node's clock, would never reach it).
    /// </summary>
    public static class EventWait
    {
        /// <summary>Null on the chip; the twin books the wait on the board of the waiting thread.</summary>
        public static WaitedHandler TimedOut;

        /// <summary>AutoResetEvent.WaitOne(<paramref name="milliseconds"/>, false); true when the event came.</summary>
        public static bool WaitOne(AutoResetEvent signal, int milliseconds)
        {
            if (signal.WaitOne(milliseconds, false))
            {
                return true;
            }

            WaitedHandler timedOut = TimedOut;
            if (timedOut != null && milliseconds > 0)
            {
                timedOut(milliseconds);
            }

            return false;
        }
    }
}
