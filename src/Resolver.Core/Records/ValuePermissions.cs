namespace Resolver.Core.Records;

/// <summary>The four Handle permission bits of a value; written as Handle does, e.g. "1110".</summary>
[Flags]
public enum ValuePermissions
{
    None = 0,
    PublicWrite = 1,
    PublicRead = 2,
    AdminWrite = 4,
    AdminRead = 8,

    /// <summary>Handle's default, "1110": admin read and write, public read.</summary>
    Default = AdminRead | AdminWrite | PublicRead,
}
