using System.Text;

namespace CityNode.NanoTwin.Clr;

/// <summary>
/// System.Reflection.Assembly.Load(byte[]) on the twin: the host cannot interpret a .pe file, so a
/// release's files on the host are small descriptors naming the application version they stand for
/// (<see cref="TwinApplication.Descriptor"/>), and loading one makes the board run the same host
/// application (the device program) as that version, with that version's defect if it has one.
/// </summary>
// upstream: nanoframework/CoreLibrary nanoFramework.CoreLibrary/System/Reflection/Assembly.cs
// (Load(byte[]) is an InternalCall); native nf-interpreter src/CLR/CorLib/corlib_native_System_Reflection_Assembly.cpp,
// Load___STATIC__SystemReflectionAssembly__SZARRAY_U1: a null array faults; the header must be a good
// assembly (CLR_RECORD_ASSEMBLY::GoodAssembly), else the load fails with an exception; an image flagged
// "needs reboot" is refused (CLR_E_BUSY); otherwise it is created, linked and resolved, and its static
// constructors run before Load returns (the native call waits for them with a timeout). So a release
// that throws as it starts throws out of Load here, and the loader rolls it back (SlotLoader.LoadFailed).
public sealed class Assembly
{
    private const string RamKey = "clr.loaded-application";

    private Assembly(TwinApplication application) => Application = application;

    public TwinApplication Application { get; }

    public string FullName => "CityNode.App, Version=" + Application.Version;

    public static Assembly Load(byte[] rawAssembly)
    {
        ArgumentNullException.ThrowIfNull(rawAssembly);
        var board = TwinBoard.Current;
        board.EnsureRunning();
        var app = TwinApplication.Parse(rawAssembly)
            ?? throw new BadImageFormatException("not a nanoFramework assembly (the twin loads release descriptors: " + TwinApplication.Magic + " VERSION [crash|silent])");
        if (app.Defect == TwinApplication.Crash)
        {
            throw new InvalidOperationException($"CityNode.App {app.Version}: exception in a static constructor (simulated defect: crash at start)");
        }

        board.Ram[RamKey] = app; // RAM: a reset forgets it, and the loader loads again at the next boot
        return new Assembly(app);
    }

    /// <summary>The application version this boot loaded, or null (the image's own application runs).</summary>
    public static TwinApplication? Loaded(TwinBoard board) => board.Ram.TryGetValue(RamKey, out var a) ? (TwinApplication)a : null;
}

/// <summary>An application version as a release descriptor names it, and its defect (null, crash or silent).</summary>
public sealed record TwinApplication(string Version, string? Defect)
{
    public const string Magic = "citynode-app";
    public const string Crash = "crash";

    /// <summary>The version's batches never leave the node (each publish fails in the client): it never confirms itself.</summary>
    public const string Silent = "silent";

    /// <summary>Whether the release this boot loaded is the silent one.</summary>
    public static bool IsSilent(TwinBoard board) => Assembly.Loaded(board)?.Defect == Silent;

    /// <summary>A descriptor file's bytes: "citynode-app VERSION[ DEFECT]\n".</summary>
    public static byte[] Descriptor(string version, string? defect) =>
        Encoding.ASCII.GetBytes(Magic + " " + version + (defect is null ? "" : " " + defect) + "\n");

    public static TwinApplication? Parse(byte[] bytes)
    {
        string[] parts = Encoding.ASCII.GetString(bytes).Trim().Split(' ');
        if (parts.Length is < 2 or > 3 || parts[0] != Magic)
        {
            return null;
        }

        string? defect = parts.Length == 3 ? parts[2] : null;
        return defect is null or Crash or Silent ? new TwinApplication(parts[1], defect) : null;
    }
}
