using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Imail.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Foundation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "data_categories",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    purpose = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    legal_basis = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    retention_months = table.Column<int>(type: "integer", nullable: false),
                    retention_days = table.Column<int>(type: "integer", nullable: false),
                    retention_starts_from = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    is_system = table.Column<bool>(type: "boolean", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_categories", x => x.code);
                    table.CheckConstraint("ck_data_categories_retention_positive", "retention_months >= 0 AND retention_days >= 0 AND retention_months + retention_days > 0");
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    display_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    locale = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_authenticated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                });

            migrationBuilder.InsertData(
                table: "data_categories",
                columns: new[] { "code", "description", "is_system", "kind", "legal_basis", "name", "purpose", "retention_days", "retention_months", "retention_starts_from", "updated_at" },
                values: new object[,]
                {
                    { "account", "La langue, le statut du compte, ses dates de création et de dernière authentification.", true, "Personal", "Contract", "Compte", "Fournir le service et appliquer la suppression après trois ans d'inactivité.", 0, 36, "la dernière authentification de l'Utilisateur", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { "connected_account_profile", "Les informations de profil et de connexion qu'un service tiers nous communique, dans les limites autorisées par l'Utilisateur.", true, "Personal", "Consent", "Profil d'un compte social connecté", "Permettre les envois croisés demandés par l'Utilisateur.", 0, 36, "la connexion du compte ; supprimé dès sa déconnexion", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { "consent_proofs", "Chaque décision de consentement : finalités, accord ou refus, date, version de la politique et du bandeau.", true, "Personal", "LegalObligation", "Preuves de consentement", "Démontrer le consentement (RGPD art. 7.1).", 0, 60, "la décision", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { "contact", "L'adresse e-mail du compte.", true, "Personal", "Contract", "Coordonnées", "Authentifier l'Utilisateur et lui écrire (confirmations, incidents, changements de politique).", 0, 36, "la dernière authentification de l'Utilisateur", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { "delivery_logs", "Les messages en attente ou envoyés (e-mails, événements partenaires) et leur suivi de livraison.", true, "Technical", "LegitimateInterests", "Journaux d'envoi", "Acheminer les notifications et prouver leur envoi.", 30, 0, "l'envoi", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { "identity", "Le nom d'affichage choisi par l'Utilisateur.", true, "Personal", "Contract", "Identité", "Gérer le compte et s'adresser à l'Utilisateur.", 0, 36, "la dernière authentification de l'Utilisateur", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { "navigation", "Pages consultées, date et heure, fréquence d'accès, opérations réalisées, enregistrées seulement avec le consentement statistique.", true, "Technical", "Consent", "Données de navigation", "Statistiques et personnalisation du service.", 0, 13, "l'enregistrement", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { "security_logs", "Authentifications et actions du personnel, sans contenu personnel au-delà de l'identifiant.", true, "Technical", "LegitimateInterests", "Journaux de sécurité", "Détecter et examiner les accès non autorisés.", 0, 12, "l'enregistrement", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { "technical_logs", "Journaux d'exécution des serveurs.", true, "Technical", "LegitimateInterests", "Journaux techniques", "Faire fonctionner et dépanner le service.", 0, 1, "l'enregistrement", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) }
                });

            migrationBuilder.CreateIndex(
                name: "ix_users_email",
                table: "users",
                column: "email",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_users_last_authenticated_at",
                table: "users",
                column: "last_authenticated_at");

            migrationBuilder.CreateIndex(
                name: "ix_users_status",
                table: "users",
                column: "status");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_categories");

            migrationBuilder.DropTable(
                name: "users");
        }
    }
}
