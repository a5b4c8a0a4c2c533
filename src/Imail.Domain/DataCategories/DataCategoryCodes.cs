namespace Imail.Domain.DataCategories;

/// <summary>The categories the software itself refers to (columns, purge schedules, erasure).</summary>
public static class DataCategoryCodes
{
    public const string Identity = "identity";
    public const string Contact = "contact";
    public const string Account = "account";
    public const string ConnectedAccountProfile = "connected_account_profile";
    public const string Navigation = "navigation";
    public const string ConsentProofs = "consent_proofs";
    public const string SecurityLogs = "security_logs";
    public const string TechnicalLogs = "technical_logs";
    public const string DeliveryLogs = "delivery_logs";

    /// <summary>Non-identifying data about the system itself (registry rows, schedules): outside P8.</summary>
    public const string NotPersonal = "not_personal";

    /// <summary>The categories that identify a person: erasure clears them from the rows it keeps for accountability.</summary>
    public static readonly IReadOnlySet<string> Identifying = new HashSet<string> { Identity, Contact, Account, ConnectedAccountProfile, ConsentProofs };

    public static IEnumerable<DataCategory> Seeds()
    {
        const string sinceLastSignIn = "la dernière authentification de l'Utilisateur";
        yield return DataCategory.Seed(Identity, new(
            "Identité", "Le nom d'affichage choisi par l'Utilisateur.",
            "Gérer le compte et s'adresser à l'Utilisateur.", LegalBasis.Contract, DataKind.Personal, 36, 0, sinceLastSignIn));
        yield return DataCategory.Seed(Contact, new(
            "Coordonnées", "L'adresse e-mail du compte.",
            "Authentifier l'Utilisateur et lui écrire (confirmations, incidents, changements de politique).",
            LegalBasis.Contract, DataKind.Personal, 36, 0, sinceLastSignIn));
        yield return DataCategory.Seed(Account, new(
            "Compte", "La langue, le pays déclaré, le statut du compte, ses dates de création et de dernière authentification.",
            "Fournir le service et appliquer la suppression après trois ans d'inactivité.",
            LegalBasis.Contract, DataKind.Personal, 36, 0, sinceLastSignIn));
        yield return DataCategory.Seed(ConnectedAccountProfile, new(
            "Profil d'un compte social connecté",
            "Les informations de profil et de connexion qu'un service tiers nous communique, dans les limites autorisées par l'Utilisateur.",
            "Permettre les envois croisés demandés par l'Utilisateur.",
            LegalBasis.Consent, DataKind.Personal, 36, 0, "la connexion du compte ; supprimé dès sa déconnexion"));
        yield return DataCategory.Seed(ConsentProofs, new(
            "Preuves de consentement",
            "Chaque décision de consentement : finalités, accord ou refus, date, version de la politique et du bandeau.",
            "Démontrer le consentement (RGPD art. 7.1).",
            LegalBasis.LegalObligation, DataKind.Personal, 60, 0, "la décision"));
        yield return DataCategory.Seed(Navigation, new(
            "Données de navigation",
            "Pages consultées, date et heure, fréquence d'accès, opérations réalisées, enregistrées seulement avec le consentement statistique.",
            "Statistiques et personnalisation du service.",
            LegalBasis.Consent, DataKind.Technical, 13, 0, "l'enregistrement"));
        yield return DataCategory.Seed(SecurityLogs, new(
            "Journaux de sécurité", "Authentifications et actions du personnel, sans contenu personnel au-delà de l'identifiant.",
            "Détecter et examiner les accès non autorisés.",
            LegalBasis.LegitimateInterests, DataKind.Technical, 12, 0, "l'enregistrement"));
        yield return DataCategory.Seed(TechnicalLogs, new(
            "Journaux techniques", "Journaux d'exécution des serveurs.",
            "Faire fonctionner et dépanner le service.",
            LegalBasis.LegitimateInterests, DataKind.Technical, 1, 0, "l'enregistrement"));
        yield return DataCategory.Seed(DeliveryLogs, new(
            "Journaux d'envoi", "Les messages en attente ou envoyés (e-mails, événements partenaires) et leur suivi de livraison.",
            "Acheminer les notifications et prouver leur envoi.",
            LegalBasis.LegitimateInterests, DataKind.Technical, 0, 30, "l'envoi"));
    }
}
