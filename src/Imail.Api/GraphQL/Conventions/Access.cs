using GraphQL;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQLParser.AST;
using Imail.Api.Auth;

namespace Imail.Api.GraphQL.Conventions;

/// <summary>
/// Who may use a field. A field declares its roles, or inherits those of its type; a field that
/// declares nothing is refused to everyone (default deny). Checked before execution, so a
/// refused document runs nothing.
/// </summary>
public static class Access
{
    private const string Key = "imail:allow";

    /// <summary>Allows the given roles (<see cref="Roles.Anyone"/> for everybody, anonymous included).</summary>
    public static T Allow<T>(this T target, params string[] roles) where T : IMetadataWriter
    {
        target.Metadata[Key] = roles;
        return target;
    }

    public static T AllowAnyone<T>(this T target) where T : IMetadataWriter => target.Allow(Roles.Anyone);

    /// <summary>
    /// Whoever may use this field may read everything it returns: for a mutation whose caller
    /// just created the object (sign-up) and owns it, though its type is not public.
    /// </summary>
    public static T GrantsResult<T>(this T target) where T : IMetadataWriter
    {
        target.Metadata[GrantKey] = true;
        return target;
    }

    private const string GrantKey = "imail:grants-result";

    internal static bool Grants(IMetadataReader field) => field.GetMetadata(GrantKey, false);

    internal static string[]? AllowedRoles(IMetadataReader? target) =>
        target?.GetMetadata<string[]>(Key);
}

/// <summary>The validation rule that enforces <see cref="Access"/> declarations.</summary>
/// <remarks>
/// Fields are checked where they are written. A named fragment's fields are written in its
/// definition, which the validator visits apart from the places it is spread; so the refusals
/// found in a fragment are held back until the whole document has been seen, and reported only
/// when the fragment is spread somewhere outside a field that grants its result (or nowhere):
/// a fragment spread only inside <c>signUp { … }</c> is granted like an inline selection, the
/// same fragment also spread under <c>me</c> is refused. One pass over the document, plus a walk
/// of the fragment-to-fragment spreads that visits each fragment once.
/// </remarks>
public sealed class AccessValidationRule : ValidationRuleBase
{
    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context) => new(new Visitor());

    private sealed class Visitor : INodeVisitor
    {
        private int _grantedDepth; // > 0 while inside a field that grants its result
        private string? _fragment; // the fragment definition being visited, null in an operation
        private Dictionary<string, List<ValidationError>>? _heldBack; // refusals per fragment
        private List<(string? From, string To)>? _ungrantedSpreads; // spreads outside any granting field
        private HashSet<string>? _spread; // fragments spread anywhere

        public ValueTask EnterAsync(ASTNode node, ValidationContext context)
        {
            switch (node)
            {
                case GraphQLField field:
                    EnterField(field, context);
                    break;
                case GraphQLFragmentDefinition definition:
                    _fragment = definition.FragmentName.Name.StringValue;
                    break;
                case GraphQLFragmentSpread spread:
                    var target = spread.FragmentName.Name.StringValue;
                    (_spread ??= []).Add(target);
                    if (_grantedDepth == 0) (_ungrantedSpreads ??= []).Add((_fragment, target));
                    break;
            }
            return default;
        }

        public ValueTask LeaveAsync(ASTNode node, ValidationContext context)
        {
            switch (node)
            {
                case GraphQLField when _grantedDepth > 0:
                    _grantedDepth--;
                    break;
                case GraphQLFragmentDefinition:
                    _fragment = null;
                    break;
                case GraphQLDocument when _heldBack is not null:
                    ReportHeldBack(context);
                    break;
            }
            return default;
        }

        private void EnterField(GraphQLField node, ValidationContext ctx)
        {
            if (_grantedDepth > 0)
            {
                _grantedDepth++;
                return;
            }
            var name = node.Name.StringValue;
            // Introspection is public: the IDE and code generators need it (its fields and those of its types).
            if (name.StartsWith("__", StringComparison.Ordinal)) return;
            if ((ctx.TypeInfo.GetParentType()?.GetNamedType() as IGraphType)?.Name.StartsWith("__", StringComparison.Ordinal) == true) return;
            var field = ctx.TypeInfo.GetFieldDef();
            if (field is null) return; // unknown fields are reported by the spec's own rules
            var parent = ctx.TypeInfo.GetParentType()?.GetNamedType() as IMetadataReader;
            var roles = Access.AllowedRoles(field) ?? Access.AllowedRoles(parent);
            var user = ctx.User;
            var signedIn = user?.Identity?.IsAuthenticated == true;
            if (roles is not null && (roles.Contains(Roles.Anyone) || signedIn && roles.Any(user!.IsInRole)))
            {
                if (Access.Grants(field)) _grantedDepth = 1;
                return;
            }

            var where = $"{(parent as IGraphType)?.Name}.{name}";
            var error = signedIn || roles is null
                ? new AccessError("ACCESS_DENIED", $"You may not use '{where}'.", ctx, node)
                : new AccessError("AUTH_NOT_AUTHENTICATED", $"'{where}' needs a signed-in caller: send an Authorization: Bearer token.", ctx, node);
            if (_fragment is null) ctx.ReportError(error);
            else if (!(_heldBack ??= []).TryGetValue(_fragment, out var errors)) _heldBack[_fragment] = [error];
            else errors.Add(error);
        }

        /// <summary>
        /// Reports the held-back refusals of every fragment reached by an ungranted spread: from an
        /// operation, or from a fragment itself reached so. A fragment spread nowhere counts as
        /// reached (nothing grants it; the spec's rules refuse it anyway).
        /// </summary>
        private void ReportHeldBack(ValidationContext ctx)
        {
            var ungrantedFrom = new Dictionary<string, List<string>>();
            var reached = new HashSet<string>();
            var pending = new Stack<string>();
            foreach (var (from, to) in _ungrantedSpreads ?? [])
            {
                if (from is null)
                {
                    Reach(to);
                    continue;
                }
                if (!ungrantedFrom.TryGetValue(from, out var targets)) ungrantedFrom[from] = [to];
                else targets.Add(to);
                if (_spread?.Contains(from) != true) Reach(from);
            }
            foreach (var fragment in _heldBack!.Keys)
                if (_spread?.Contains(fragment) != true) Reach(fragment);
            while (pending.TryPop(out var fragment))
            {
                if (ungrantedFrom.TryGetValue(fragment, out var targets))
                    foreach (var target in targets) Reach(target);
            }

            foreach (var (fragment, errors) in _heldBack)
            {
                if (!reached.Contains(fragment)) continue;
                foreach (var error in errors) ctx.ReportError(error);
            }

            void Reach(string fragment)
            {
                if (reached.Add(fragment)) pending.Push(fragment);
            }
        }
    }

    public sealed class AccessError : ValidationError
    {
        public AccessError(string code, string message, ValidationContext ctx, ASTNode node)
            : base(ctx.Document.Source, code, message, node) => Code = code;
    }
}
