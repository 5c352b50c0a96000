namespace CityNode.Host.Receiving;

/// <summary>
/// The default MQTT client id of a receiver: <c>citynode-receiver-HOST-GROUP</c> for the first
/// receiver of a group (or of "all") on a host, <c>...-2</c>, <c>...-3</c> for the ones started
/// while it runs. The id names the broker session, so it must be stable across restarts (a
/// restarted receiver resumes its session and gets what was queued; a new id would strand that
/// queue, and in a shared group the broker keeps handing the absent member its share) yet unique
/// among running receivers (two clients with one id take the session from each other in turn).
/// A slot is held by an exclusive lock on a file in the temp directory for the life of the
/// process; the OS frees it when the process ends, however it ends, so the next receiver takes
/// the lowest free slot: the same id as the one it replaces.
/// </summary>
public sealed class ReceiverIdentity : IDisposable
{
    private const int MaxSlots = 64;
    private readonly FileStream? _lock;

    private ReceiverIdentity(string clientId, FileStream? held)
    {
        ClientId = clientId;
        _lock = held;
    }

    public string ClientId { get; }

    /// <summary>Takes the lowest free slot for this host and group.</summary>
    public static ReceiverIdentity Claim(string? group, string? lockDirectory = null, string? host = null)
    {
        string baseId = $"citynode-receiver-{host ?? Environment.MachineName}-{group ?? "all"}";
        string dir = lockDirectory ?? Path.GetTempPath();
        for (int slot = 1; slot <= MaxSlots; slot++)
        {
            string id = slot == 1 ? baseId : $"{baseId}-{slot}";
            try
            {
                // FileShare.None is an exclusive flock on Unix: held by another running receiver, it throws.
                var held = new FileStream(Path.Combine(dir, id + ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new ReceiverIdentity(id, held);
            }
            catch (IOException)
            {
                // taken: try the next slot
            }
            catch (UnauthorizedAccessException)
            {
                // another user's lock file: taken too
            }
        }

        // Every slot busy (or no writable temp directory): unique, though not resumable.
        return new ReceiverIdentity($"{baseId}-{Guid.NewGuid().ToString("N")[..8]}", null);
    }

    public void Dispose() => _lock?.Dispose();
}
