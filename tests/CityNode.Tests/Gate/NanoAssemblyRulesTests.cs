using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Xunit;

namespace CityNode.Tests.Gate;

/// <summary>
/// The second half of the nanoFramework gate. The *.Nano projects compile the portable sources
/// against nanoFramework.CoreLibrary's mscorlib, so any API the device lacks is a compile error.
/// What compiles but the nanoFramework 1.x metadata processor or CLR rejects is checked here on
/// the compiled IL: generic type or method definitions and instantiations, multi-dimensional
/// arrays, pointers, and references to anything but mscorlib (and our own Core).
/// </summary>
public class NanoAssemblyRulesTests
{
    public static TheoryData<string, string> Assemblies => new()
    {
        { "CityNode.Core.Nano", "firmware" },
        { "CityNode.Drivers.Nano", "drivers" },
        { "CityNode.Loader.Nano", "firmware" },
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Compiled_portable_code_uses_only_what_nanoFramework_1x_runs(string project, string folder)
    {
        string path = Paths.NanoAssembly(project, folder);
        Assert.True(File.Exists(path), $"gate output missing: {path} (build the solution first)");
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        var problems = new List<string>();

        foreach (var h in md.AssemblyReferences)
        {
            string name = md.GetString(md.GetAssemblyReference(h).Name);
            if (name != "mscorlib" && name != "CityNode.Core.Nano")
            {
                problems.Add($"references assembly {name}");
            }
        }

        foreach (var h in md.TypeDefinitions)
        {
            var t = md.GetTypeDefinition(h);
            if (t.GetGenericParameters().Count > 0)
            {
                problems.Add($"generic type {md.GetString(t.Namespace)}.{md.GetString(t.Name)}");
            }

            foreach (var mh in t.GetMethods())
            {
                var m = md.GetMethodDefinition(mh);
                if (m.GetGenericParameters().Count > 0)
                {
                    problems.Add($"generic method {md.GetString(t.Name)}.{md.GetString(m.Name)}");
                }
            }
        }

        if (md.GetTableRowCount(TableIndex.MethodSpec) > 0)
        {
            problems.Add($"{md.GetTableRowCount(TableIndex.MethodSpec)} generic method instantiation(s)");
        }

        for (int row = 1; row <= md.GetTableRowCount(TableIndex.TypeSpec); row++)
        {
            var h = MetadataTokens.TypeSpecificationHandle(row);
            var blob = md.GetBlobReader(md.GetTypeSpecification(h).Signature);
            var kind = (SignatureTypeCode)blob.ReadByte();
            if (kind is SignatureTypeCode.GenericTypeInstance or SignatureTypeCode.Array or SignatureTypeCode.Pointer or SignatureTypeCode.FunctionPointer)
            {
                problems.Add($"type specification of kind {kind}");
            }
        }

        Assert.True(problems.Count == 0, $"{project}: " + string.Join("; ", problems));
    }
}
