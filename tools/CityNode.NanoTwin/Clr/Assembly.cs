using System.Collections.Concurrent;
using System.Text;

namespace CityNode.NanoTwin.Clr;

/// <summary>
/// System.Reflection.Assembly on the twin: Load(byte[]) and GetType(string), what the loader
/// (firmware/CityNode.Loader) calls. The host cannot interpret a .pe file, so a release's files on the
/// host are small descriptors naming the assembly and the version they stand for
/// (<see cref="TwinApplication.Descriptor"/>); loading one gives the host build of that assembly
/// (<see cref="RegisterHostBuild"/>), whose types the loader then finds and runs by reflection, with
/// that version's defect if it has one.
/// </summary>
// upstream: nanoframework/CoreLibrary nanoFramework.CoreLibrary/System/Reflection/Assembly.cs (Load(byte[]) and
// GetType(String) are InternalCalls; GetType returns null for a type it does not have). Native: nf-interpreter
// src/CLR/CorLib/corlib_native_System_Reflection_Assembly.cpp, Load___STATIC__SystemReflectionAssembly__SZARRAY_U1:
// a null array faults (NullReferenceException); a header that is not a good assembly is CLR_E_INVALID_PARAMETER
// (ArgumentException); otherwise the assembly is created and *linked into the type system before* ResolveAll —
// so one whose references do not resolve stays linked, unresolved, and every later Load of that boot fails in
// ResolveAll too (src/CLR/Core/TypeSystem.cpp: ResolveAll walks every unresolved assembly, then
// CLR_E_TYPE_UNAVAILABLE). Static constructors run before Load returns (it waits for them), so a release that
// throws as it starts throws out of Load here, and the loader rolls it back (SlotLoader.LoadFailed).
public sealed class Assembly
{
    private const string LoadedKey = "clr.loaded-assemblies";
    private const string UnresolvedKey = "clr.unresolved-assembly";
    private static readonly ConcurrentDictionary<string, System.Reflection.Assembly> HostBuilds = new(StringComparer.Ordinal);

    private readonly System.Reflection.Assembly _build;

    private Assembly(TwinApplication application, System.Reflection.Assembly build)
    {
        Application = application;
        _build = build;
    }

    public TwinApplication Application { get; }

    public string FullName => Application.Name + ", Version=" + Application.Version;

    /// <summary>Names the host build that a descriptor of <paramref name="name"/> loads (the host's compile of the same sources).</summary>
    public static void RegisterHostBuild(string name, System.Reflection.Assembly build) => HostBuilds[name] = build;

    public static Assembly Load(byte[] rawAssembly)
    {
        var board = TwinBoard.Current;
        board.EnsureRunning();
        if (rawAssembly is null)
        {
            throw new NullReferenceException(); // FAULT_ON_NULL
        }

        var app = TwinApplication.Parse(rawAssembly)
            ?? throw new ArgumentException("not a nanoFramework assembly (the twin loads release descriptors: " + TwinApplication.Magic + " NAME VERSION [crash|silent])");
        if (board.Ram.TryGetValue(UnresolvedKey, out var stuck))
        {
            throw new Exception($"CLR_E_TYPE_UNAVAILABLE: {stuck} is linked and unresolved since an earlier Load of this boot; nothing more loads until a reset");
        }

        if (!HostBuilds.TryGetValue(app.Name, out var build))
        {
            board.Ram[UnresolvedKey] = app.Name;
            throw new Exception($"CLR_E_TYPE_UNAVAILABLE: {app.Name} {app.Version} needs assemblies this boot has not loaded");
        }

        if (app.Defect == TwinApplication.Crash)
        {
            throw new InvalidOperationException($"{app.Name} {app.Version}: exception in a static constructor (simulated defect: crash at start)");
        }

        // RAM: a reset forgets it, and the loader loads again at the next boot.
        var loaded = board.Ram.TryGetValue(LoadedKey, out var l) ? (List<TwinApplication>)l : new List<TwinApplication>();
        loaded.Add(app);
        board.Ram[LoadedKey] = loaded;
        return new Assembly(app, build);
    }

    /// <summary>The type of that name in the assembly, or null (upstream returns null, it does not throw).</summary>
    public Type? GetType(string name)
    {
        TwinBoard.Current.EnsureRunning();
        return _build.GetType(name, throwOnError: false);
    }

    /// <summary>The assemblies this boot loaded, in order (empty: nothing was loaded, the deployed image runs).</summary>
    public static IReadOnlyList<TwinApplication> LoadedAll(TwinBoard board) =>
        board.Ram.TryGetValue(LoadedKey, out var a) ? (List<TwinApplication>)a : [];

    /// <summary>The last assembly this boot loaded (the application the loader started), or null.</summary>
    public static TwinApplication? Loaded(TwinBoard board) => LoadedAll(board) is { Count: > 0 } all ? all[^1] : null;
}

/// <summary>An assembly of a release as its descriptor names it: name, version and defect (null, crash or silent).</summary>
public sealed record TwinApplication(string Name, string Version, string? Defect)
{
    public const string Magic = "citynode-assembly";
    public const string Crash = "crash";

    /// <summary>The version's batches never leave the node (each publish fails in the client): it never confirms itself.</summary>
    public const string Silent = "silent";

    /// <summary>Whether the application this boot loaded is a silent one.</summary>
    public static bool IsSilent(TwinBoard board) => Assembly.Loaded(board)?.Defect == Silent;

    /// <summary>
    /// A descriptor file's bytes: "citynode-assembly NAME VERSION[ DEFECT]\n", padded with zero bytes to
    /// <paramref name="size"/> when given, so that a release or a cable copy has the size of the real .pe
    /// it stands for (its download, its flash reads and the loader's heap are then the device's).
    /// </summary>
    public static byte[] Descriptor(string name, string version, string? defect = null, int size = 0)
    {
        byte[] text = Encoding.ASCII.GetBytes(Magic + " " + name + " " + version + (defect is null ? "" : " " + defect) + "\n");
        byte[] bytes = new byte[Math.Max(size, text.Length)];
        text.CopyTo(bytes, 0);
        return bytes;
    }

    public static TwinApplication? Parse(byte[] bytes)
    {
        int end = Array.IndexOf(bytes, (byte)'\n');
        string[] parts = Encoding.ASCII.GetString(bytes, 0, end < 0 ? bytes.Length : end).Trim().Split(' ');
        if (parts.Length is < 3 or > 4 || parts[0] != Magic)
        {
            return null;
        }

        string? defect = parts.Length == 4 ? parts[3] : null;
        return defect is null or Crash or Silent ? new TwinApplication(parts[1], parts[2], defect) : null;
    }
}
