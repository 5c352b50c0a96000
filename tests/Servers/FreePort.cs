using System.Net;
using System.Net.Sockets;

namespace CityNode.Testing.Servers;

/// <summary>Loopback ports for servers the tests start.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts TCP connections on the port, or throws with the server's log.</summary>
    public static void WaitOpen(int port, TimeSpan timeout, Func<string> log)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                Thread.Sleep(50);
            }
            catch (SocketException)
            {
                throw new InvalidOperationException($"nothing listens on 127.0.0.1:{port} after {timeout.TotalSeconds:F0} s; server log:\n{log()}");
            }
        }
    }
}
