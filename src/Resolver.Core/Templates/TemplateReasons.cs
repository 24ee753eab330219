namespace Resolver.Core.Templates;

/// <summary>The stable reason ids of template refusals (the <c>reason</c> of a problem; docs/templates.md, "Errors").</summary>
public static class TemplateReasons
{
    /// <summary>INVALID_ARGUMENT: a record's values break its template's rules.</summary>
    public const string Violation = "template-violation";

    /// <summary>INVALID_ARGUMENT: a template definition that does not parse or whose rules contradict each other.</summary>
    public const string Invalid = "template-invalid";

    /// <summary>FAILED_PRECONDITION: the declared template, or that version of it, is not published.</summary>
    public const string NotFound = "template-not-found";

    /// <summary>FAILED_PRECONDITION: a write would change or remove a published version.</summary>
    public const string Immutable = "template-immutable";

    /// <summary>FAILED_PRECONDITION: a new record declares a deprecated template version.</summary>
    public const string Deprecated = "template-deprecated";
}
